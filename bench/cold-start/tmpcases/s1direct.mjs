import { createVerifier } from '/work/main/packages/verifier/dist/index.js';

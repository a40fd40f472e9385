import { createVerifier } from 'kms-jwt-verifier';

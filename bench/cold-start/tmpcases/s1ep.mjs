import { createVerifier } from 'kms-jwt-verifier'; import { checkKmsEndpoint } from 'kms-jwt-verifier/kms-endpoint';

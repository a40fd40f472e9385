import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider } from 'kms-pubkey-provider/kms';

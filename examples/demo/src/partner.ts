// A partner's API, in a process of its own started with only PATH in its environment: no AWS
// credentials, no Region, no KMS endpoint. It trusts the token issuer's published JWKS
// (kms-pubkey-provider's createJwksKeyProvider) for keys of the issuer's account and Region, and
// verifies the tokens the demo sends it over IPC.
import { createVerifier, KmsJwtError } from 'kms-jwt-verifier';
import { createJwksKeyProvider } from 'kms-pubkey-provider';

/** What the demo passes as argv[2] (JSON). */
export interface PartnerConfig {
  readonly jwksUrl: string;
  readonly accountId: string;
  readonly region: string;
  readonly issuer: string;
  readonly audience: string;
  /** How soon a token with a kid the JWKS does not list may make the partner fetch it again. */
  readonly unknownKidCooldownMs: number;
}

/** The partner's messages to the demo. */
export type PartnerMessage =
  | { readonly ready: true; readonly awsVariables: readonly string[]; readonly keys: readonly string[] }
  | { readonly id: number; readonly valid: true; readonly key: string }
  | { readonly id: number; readonly valid: false; readonly code: string };

const send = (message: PartnerMessage): void => void process.send?.(message);
const config = JSON.parse(process.argv[2] ?? '{}') as PartnerConfig;
const provider = createJwksKeyProvider({
  url: config.jwksUrl,
  trust: [{ accountId: config.accountId, region: config.region }],
  unknownKidCooldownMs: config.unknownKidCooldownMs,
});
await provider.ready();
const verifier = createVerifier({ keys: provider, issuer: config.issuer, audience: config.audience });
send({
  ready: true,
  awsVariables: Object.keys(process.env).filter((name) => name.startsWith('AWS_')),
  keys: provider.exportJwks().keys.map((key) => String(key.kid)),
});

process.on('message', (message: { id: number; token: string }) => {
  verifier.verify(message.token).then(
    ({ key }) => send({ id: message.id, valid: true, key }),
    (error: unknown) => send({ id: message.id, valid: false, code: error instanceof KmsJwtError ? error.code : 'unexpected' }),
  );
});
process.on('disconnect', () => {
  provider.close();
  process.exit(0);
});

/*
 * `pnpm start`: the token issuer on an embedded kms-local (a fresh key behind alias/token-issuer),
 * or, with KMS_JWT_KEY_ID set, on the KMS the environment names (AWS_REGION, AWS_ENDPOINT_URL_KMS,
 * credentials). PORT picks the port (default: a free one). Ctrl-C stops it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { DEV_AUDIENCE, DEV_CLIENTS, DEV_ISSUER, startLocalIssuer } from './local.js';
import { createTokenIssuer } from './token-issuer.js';

const print = (line = ''): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 0);
  const keyId = process.env['KMS_JWT_KEY_ID'];
  let url: string;
  let close: () => Promise<void>;
  if (keyId === undefined || keyId === '') {
    const local = await startLocalIssuer({ listen: { port } });
    ({ url, close } = local);
    print(`kms-local at ${local.kms.endpoint}: signing key ${local.keyArn} behind alias/token-issuer`);
    print(`token issuer listening on ${url}`);
    print();
    print('Point an API example at the same KMS and key:');
    print(`  ${Object.entries(local.env).map(([name, value]) => `${name}=${value}`).join(' ')} \\`);
    print('    npx -y pnpm@10.34.8 --filter kms-jwt-example-express-api start');
  } else {
    const issuer = await createTokenIssuer({ keyId, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clients: DEV_CLIENTS });
    const server = await issuer.listen({ port });
    url = server.url;
    close = () => issuer.close();
    print(`signing with ${issuer.keyArn} (${keyId})`);
    print(`token issuer listening on ${url}`);
  }
  print();
  print('Try it:');
  print(`  curl -s -u orders-app:orders-app-secret -d grant_type=client_credentials ${url}/token`);
  print(`  curl -s ${url}/.well-known/jwks.json`);
  print();
  print('Ctrl-C stops it.');

  const stop = (): void => {
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`the token issuer could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

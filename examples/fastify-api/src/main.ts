/*
 * `pnpm start`: the Fastify API with, unless KMS_JWT_KEY_ID names the keys to trust on the KMS of
 * the environment, an embedded kms-local and the token issuer. Ctrl-C stops it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { serveApiExample } from 'kms-jwt-example-token-issuer';
import { createFastifyApi } from './fastify-api.js';

serveApiExample('Fastify API', (settings) => createFastifyApi(settings)).catch((error: unknown) => {
  process.stderr.write(`the API could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

/*
 * `pnpm start`: the instrumented API with, unless KMS_JWT_KEY_ID names the keys to trust on the KMS
 * of the environment, an embedded kms-local and the token issuer; its metrics on 127.0.0.1
 * (METRICS_PORT, default 9464) at /metrics. Ctrl-C stops it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { serveApiExample } from 'kms-jwt-example-token-issuer';
import { createObservedApi } from './otel-prometheus-api.js';

serveApiExample('instrumented API', async ({ client, ...settings }) => {
  const api = await createObservedApi({ ...settings, ...(client === undefined ? {} : { client }), metricsPort: Number(process.env['METRICS_PORT'] ?? 9464) });
  process.stdout.write(`metrics for Prometheus at ${api.metrics.url}/metrics\n`);
  return { handler: api.handler, close: () => api.close() };
}).catch((error: unknown) => {
  process.stderr.write(`the API could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

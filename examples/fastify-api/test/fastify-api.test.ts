import { fileURLToPath } from 'node:url';
import { describeOrdersApi } from '../../token-issuer/test/orders-api-suite.js';
import { createFastifyApi } from '../src/index.js';

describeOrdersApi({
  name: 'Fastify API',
  create: (settings) => createFastifyApi(settings),
  startScript: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
});

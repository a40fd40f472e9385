import { fileURLToPath } from 'node:url';
import { describeOrdersApi } from '../../token-issuer/test/orders-api-suite.js';
import { createExpressApi } from '../src/index.js';

describeOrdersApi({
  name: 'express API',
  create: (settings) => createExpressApi(settings),
  startScript: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
});

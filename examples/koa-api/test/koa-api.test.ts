import { fileURLToPath } from 'node:url';
import { describeOrdersApi } from '../../token-issuer/test/orders-api-suite.js';
import { createKoaApi } from '../src/index.js';

describeOrdersApi({
  name: 'Koa API',
  create: (settings) => createKoaApi(settings),
  startScript: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
});

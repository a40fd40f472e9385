import { fileURLToPath } from 'node:url';
import { describeOrdersApi } from '../../token-issuer/test/orders-api-suite.js';
import { createPassportApi } from '../src/index.js';

describeOrdersApi({
  name: 'Passport API',
  create: (settings) => createPassportApi(settings),
  startScript: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
});

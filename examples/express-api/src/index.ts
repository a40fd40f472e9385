export { createExpressApi, type ExpressApi, type ExpressApiOptions, type KeyProviderSettings } from './express-api.js';

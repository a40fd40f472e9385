export { createKoaApi, type KeyProviderSettings, type KoaApi, type KoaApiOptions } from './koa-api.js';

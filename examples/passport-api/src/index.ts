export { createPassportApi, type ApiUser, type KeyProviderSettings, type PassportApi, type PassportApiOptions } from './passport-api.js';

export { createTokenIssuer, type JwksProviderSettings, type OAuthClient, type TokenIssuer, type TokenIssuerOptions } from './token-issuer.js';
export { createSigningKey, DEV_AUDIENCE, DEV_CLIENTS, DEV_ISSUER, DEV_KEY_ALIAS, devToken, requestToken, startLocalIssuer, type LocalIssuer, type TokenAnswer } from './local.js';
export { listen, type ListenOptions, type RunningServer } from './listen.js';
export { serveApiExample, type ApiExample, type ApiExampleSettings } from './serve-api-example.js';

import { KeyProviderConfigError } from './errors.js';

/** The JWKS URL as requested, and as messages and events show it (no query, no fragment). */
export interface JwksUrl {
  readonly url: URL;
  readonly shown: string;
}

/** Whether `hostname` (as `URL` normalises it) is a loopback address: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Checks the `url` option: `https:`, or plain `http:` on a loopback host only (tests, a sidecar). */
export function toJwksUrl(value: unknown): JwksUrl {
  if (typeof value !== 'string' && !(value instanceof URL)) throw new KeyProviderConfigError('url is required: the https:// URL of the JWKS to trust keys from');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KeyProviderConfigError('url is not a valid absolute URL; give the https:// URL of the JWKS');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KeyProviderConfigError(`url must be an https:// URL, not ${url.protocol}`);
  const shown = `${url.origin}${url.pathname}`;
  if (url.username !== '' || url.password !== '') throw new KeyProviderConfigError(`url (${shown}) must not carry credentials`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new KeyProviderConfigError(`url (${shown}) must use https: plain http is allowed only on a loopback host (127.0.0.0/8, ::1, localhost), where no network can change the keys`);
  }
  url.hash = '';
  return { url, shown };
}

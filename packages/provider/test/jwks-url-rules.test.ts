import { describe, expect, it } from 'vitest';
import { KeyProviderConfigError } from '../src/errors.js';
import { JwksInvalidError } from '../src/jwks-errors.js';
import { parseJwksDocument } from '../src/jwks-document.js';
import { isLoopbackHost, toJwksUrl } from '../src/jwks-url.js';

// The url option and the JWKS document as a whole at their edges (jwks-url.ts, jwks-document.ts).

function urlError(value: unknown): string {
  try {
    toJwksUrl(value);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyProviderConfigError);
    return (error as Error).message.replace(/^kms-pubkey-provider: /, '');
  }
  throw new Error('expected a KeyProviderConfigError');
}

describe('isLoopbackHost', () => {
  it.each(['localhost', '[::1]', '127.0.0.1', '127.255.255.255', '127.1.22.3'])('takes %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['127.0.0.1.example', 'x127.0.0.1', '127.0.0', '127.0.0.1234', '127..0.1', '128.0.0.1', 'localhost.example', 'alocalhost', '::1', '[::2]', ''])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('toJwksUrl', () => {
  it('refuses plain http to a host name that only starts like a loopback address', () => {
    expect(urlError('http://127.0.0.1.example/jwks.json')).toBe(
      'url (http://127.0.0.1.example/jwks.json) must use https: plain http is allowed only on a loopback host (127.0.0.0/8, ::1, localhost), where no network can change the keys',
    );
  });

  it.each([
    [undefined, 'url is required: the https:// URL of the JWKS to trust keys from'],
    [42, 'url is required: the https:// URL of the JWKS to trust keys from'],
    [{ href: 'https://issuer.example/jwks.json' }, 'url is required: the https:// URL of the JWKS to trust keys from'],
    ['ftp://issuer.example/jwks.json', 'url must be an https:// URL, not ftp:'],
    ['https://user@issuer.example/jwks.json', 'url (https://issuer.example/jwks.json) must not carry credentials'],
    ['https://:secret@issuer.example/jwks.json', 'url (https://issuer.example/jwks.json) must not carry credentials'],
  ])('refuses %j', (value, message) => {
    expect(urlError(value)).toBe(message);
  });

  it('keeps the query in the URL it requests, shows the URL without query and fragment, and drops the fragment', () => {
    const given = new URL('https://issuer.example:8443/tenants/a/jwks.json?v=2#keys');
    const { url, shown } = toJwksUrl(given);
    expect(url.href).toBe('https://issuer.example:8443/tenants/a/jwks.json?v=2');
    expect(shown).toBe('https://issuer.example:8443/tenants/a/jwks.json');
    expect(toJwksUrl('http://localhost:3000/jwks.json#x').url.href).toBe('http://localhost:3000/jwks.json');
  });
});

describe('parseJwksDocument', () => {
  const SHOWN = 'https://issuer.example/jwks.json';
  const body = (text: string): Uint8Array => new TextEncoder().encode(text);

  function invalid(bytes: Uint8Array, maxKeys = 3): JwksInvalidError {
    try {
      parseJwksDocument(bytes, SHOWN, maxKeys);
    } catch (error) {
      expect(error).toBeInstanceOf(JwksInvalidError);
      return error as JwksInvalidError;
    }
    throw new Error('expected a JwksInvalidError');
  }

  it('takes up to maxKeys entries, as they are', () => {
    const keys = [{ kid: 'a' }, 'b', null];
    expect(parseJwksDocument(body(JSON.stringify({ keys })), SHOWN, 3)).toEqual(keys);
    expect(parseJwksDocument(body('{"keys":[]}'), SHOWN, 1)).toEqual([]);
  });

  it('refuses one key more than maxKeys, saying how many and what to change', () => {
    const error = invalid(body(JSON.stringify({ keys: [1, 2, 3, 4] })));
    expect(error).toMatchObject({ problem: 'too-many-keys', url: SHOWN });
    expect(error.message).toBe(`kms-pubkey-provider: the JWKS at ${SHOWN} lists 4 keys, more than maxKeys (3); raise maxKeys if the issuer really publishes that many, or check the url`);
  });

  it('refuses a body that is not UTF-8, even when the rest is JSON', () => {
    const bytes = Buffer.concat([Buffer.from('{"keys":[],"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const error = invalid(bytes);
    expect(error).toMatchObject({ problem: 'malformed' });
    expect(error.message).toBe(`kms-pubkey-provider: the JWKS at ${SHOWN} answered a body that is not UTF-8 JSON; check the url, and that the issuer serves its JWKS there`);
  });

  it.each(['null', '"keys"', '{"keys":null}', '{"keys":{"length":1,"0":{}}}', '[{"keys":[]}]'])('refuses %s as JSON that is not a JWKS', (text) => {
    const error = invalid(body(text));
    expect(error).toMatchObject({ problem: 'malformed' });
    expect(error.message).toBe(`kms-pubkey-provider: the JWKS at ${SHOWN} answered JSON that is not a JWKS (an object with a "keys" array); check the url`);
  });
});

import { describe, expect, it } from 'vitest';
import { ownError, unavailable } from '../src/error-wrapping.js';
import { JwtMalformedError, KeySourceUnavailableError, KidUntrustedError } from '../src/index.js';
import { isJsonMediaType } from '../src/media-type.js';

// How a failure that is not this package's own becomes one (src/error-wrapping.ts), and how a
// media type's essence is read (src/media-type.ts).

describe('errors that are not this package’s own', () => {
  it('become ERR_JWT_MALFORMED naming what could not be processed, with the error as the cause', () => {
    const cause = new TypeError('boom');
    expect(ownError(cause)).toMatchObject({ constructor: JwtMalformedError, message: 'the token could not be processed', cause });
    expect(ownError(cause, 'message')).toMatchObject({ message: 'the message could not be processed', cause });
  });

  it('become ERR_KEY_SOURCE_UNAVAILABLE from a key source, saying to retry, with the error as the cause', () => {
    const cause = new Error('connection reset');
    expect(unavailable(cause)).toMatchObject({ constructor: KeySourceUnavailableError, message: 'the key source failed and has no usable key for this kid; retry later', cause });
  });

  it('are passed on as they are when they are this package’s own', () => {
    const own = new KidUntrustedError('the kid is not trusted');
    expect(ownError(own)).toBe(own);
    expect(unavailable(own)).toBe(own);
  });
});

describe('JSON media types', () => {
  it('reads the essence without the white space around it', () => {
    expect(isJsonMediaType('application/json ')).toBe(true);
    expect(isJsonMediaType(' application/jose+json ; charset=utf-8')).toBe(true);
    expect(isJsonMediaType('application/json5')).toBe(false);
  });
});

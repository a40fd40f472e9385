import { describe, expect, it } from 'vitest';
import { asError, classifyKmsError, describeError, errorName } from '../src/kms-errors.js';

// How a failed KMS call is read (kms-errors.ts): which exception names make a key untrusted and
// which only make the source unavailable, and how a failure is named in messages.

const named = (name: string, message = `${name} happened`): Error => Object.assign(new Error(message), { name });

describe('classifyKmsError', () => {
  it('makes a key untrusted only for answers about the key itself, each with its reason', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['NotFoundException', 'not-found'],
      ['InvalidArnException', 'not-found'],
      ['DisabledException', 'disabled'],
      ['KMSInvalidStateException', 'invalid-state'],
      ['InvalidKeyUsageException', 'unusable'],
      ['UnsupportedOperationException', 'unusable'],
    ];
    for (const [name, reason] of cases) expect(classifyKmsError(named(name)), name).toEqual({ kind: 'untrusted', reason });
  });

  it('calls everything else unavailable: throttling, access denied, timeouts, unknown errors and non-errors', () => {
    for (const error of [named('ThrottlingException'), named('AccessDeniedException'), named('TimeoutError'), named('KMSInternalException'), new Error('boom'), 'NotFoundException', undefined, null]) {
      expect(classifyKmsError(error), String(error)).toEqual({ kind: 'unavailable' });
    }
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) expect(classifyKmsError(named(name)), name).toEqual({ kind: 'unavailable' });
  });
});

describe('errorName, describeError, asError', () => {
  it("names a failure by its name, and 'Error' when it has none", () => {
    expect(errorName(named('ThrottlingException'))).toBe('ThrottlingException');
    expect(errorName({ name: 'AccessDeniedException' })).toBe('AccessDeniedException');
    for (const error of [{ name: '' }, { name: 5 }, undefined, null, 'ThrottlingException']) expect(errorName(error), String(error)).toBe('Error');
  });

  it('describes a failure as name and message, the name alone when the message adds nothing', () => {
    expect(describeError(named('ThrottlingException', 'Rate exceeded'))).toBe('ThrottlingException: Rate exceeded');
    expect(describeError(named('TimeoutError', ''))).toBe('TimeoutError');
    expect(describeError(named('TimeoutError', 'TimeoutError'))).toBe('TimeoutError');
    expect(describeError('socket hang up')).toBe('Error: socket hang up');
    expect(describeError(undefined)).toBe('Error: undefined');
  });

  it('keeps an Error as it is and makes anything else one', () => {
    const error = named('ThrottlingException');
    expect(asError(error)).toBe(error);
    const made = asError('socket hang up');
    expect(made).toBeInstanceOf(Error);
    expect(made.message).toBe('socket hang up');
  });
});

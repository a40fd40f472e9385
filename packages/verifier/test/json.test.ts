import { describe, expect, it } from 'vitest';
import { parseJsonObject } from '../src/json.js';

describe('parseJsonObject', () => {
  it.each([
    ['{"a":1,"a":2}'],
    ['{"a":{"b":1,"b":2}}'],
    ['{"a":[{"b":1},{"c":1,"c":2}]}'],
    ['{"a":1,"\\u0061":2}'],
    ['{"k" : 1, "k"\n:2}'],
  ])('rejects a repeated member name in %s', (text) => {
    expect(parseJsonObject(text)).toBeUndefined();
  });

  it.each([
    ['{"x":"\\\\","y":":"}', { x: '\\', y: ':' }],
    ['{"a":"x\\":","b":{"a":1}}', { a: 'x":', b: { a: 1 } }],
    ['{"":1,"b":[{"c":1},{"c":2}]}', { '': 1, b: [{ c: 1 }, { c: 2 }] }],
    ['{"a\\\\":1,"a":2}', { 'a\\': 1, a: 2 }],
    ['{"s":"\\"a\\":1,\\"a\\":2"}', { s: '"a":1,"a":2' }],
  ])('accepts %s, whose strings only look like repeated names', (text, expected) => {
    expect(parseJsonObject(text)).toEqual(expected);
  });

  it.each([['[]'], ['"a"'], ['null'], ['1'], ['{"a":1'], ['']])('rejects %s, which is not a JSON object', (text) => {
    expect(parseJsonObject(text)).toBeUndefined();
  });
});

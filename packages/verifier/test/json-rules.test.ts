import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseJson, parseJsonObject } from '../src/json.js';
import { misreading } from './support/json-parse.js';

// The second check json.ts makes of a text with a name written with escapes: it must read such a
// text as written wherever JSON.parse does (escaped names of more than one character: Node 24's
// V8 misdecodes one-character ones only, see support/json-parse.ts), whatever values sit beside
// the names, and refuse a misreading that moves a name to where the text has it once.

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a text with an escaped name read as written', () => {
  it.each([
    ['a null value', '{"a\\"b":null}', { 'a"b': null }],
    ['a string value', '{"a\\"b":"text","c":"x\\ny"}', { 'a"b': 'text', c: 'x\ny' }],
    ['a number and a boolean', '{"a\\\\b":1,"c\\td":true,"e":false}', { 'a\\b': 1, 'c\td': true, e: false }],
    ['an array of values and objects', '{"x":[1,"s",null,{"a\\nb":1},[{"c":2}]]}', { x: [1, 's', null, { 'a\nb': 1 }, [{ c: 2 }]] }],
    ['a nested object', '{"a\\/b":{"c\\u0064":{"e":[]}},"f":{}}', { 'a/b': { cd: { e: [] } }, f: {} }],
    ['the same escaped name in two objects', '{"x":{"a\\"b":1},"y":{"a\\"b":2}}', { x: { 'a"b': 1 }, y: { 'a"b': 2 } }],
  ])('reads a text with an escaped name and %s', (_name, text, expected) => {
    expect(parseJsonObject(text)).toEqual(expected);
    expect(parseJson(text)).toEqual({ value: expected });
  });

  it('reads a JSON array holding an object with an escaped name', () => {
    expect(parseJson('[{"a\\"b":1},{"a\\"b":2}]')).toEqual({ value: [{ 'a"b': 1 }, { 'a"b': 2 }] });
  });
});

describe('a misreading JSON.parse', () => {
  it('refuses a text whose escaped name JSON.parse read as another name of the text', () => {
    // Names: x, a"b (nested) and a\b; JSON.parse answers a\b twice and a"b not at all (three members either way).
    const text = '{"x":{"a\\"b":1},"a\\\\b":2}';
    misreading(text, { x: { 'a\\b': 1 }, 'a\\b': 2 });
    expect(parseJsonObject(text)).toBeUndefined();
    expect(parseJson(text)).toBeUndefined();
  });
});

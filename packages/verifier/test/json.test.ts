import fc from 'fast-check';
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

  // Names and values full of quotes, backslashes, colons and escapes, in JSON.stringify's form and spread out with whitespace.
  const tricky = fc.string({ unit: fc.constantFrom('"', '\\', ':', 'a', 'b', '\u00e9', '{', ',', ' ', '\n') , maxLength: 6 });
  const objects = fc.dictionary(tricky, fc.oneof(tricky, fc.integer(), fc.dictionary(tricky, tricky, { maxKeys: 3 }), fc.array(fc.dictionary(tricky, fc.integer(), { maxKeys: 2 }), { maxLength: 2 })), {
    minKeys: 1,
    maxKeys: 5,
  });
  const JSON_PARSE_MISDECODES_NAMES = Number(process.versions.node.split('.')[0]) >= 24;
  /** Whether some object in `value` has a name JSON.stringify writes with an escape. */
  const hasEscapedName = (value: unknown): boolean =>
    typeof value === 'object' && value !== null && Object.entries(value).some(([name, member]) => (!Array.isArray(value) && JSON.stringify(name).includes('\\')) || hasEscapedName(member));
  const spaced = (text: string) => text.replace(/([{,:[])(?=(?:[^"\\]|\\.|"(?:[^"\\]|\\.)*")*$)/g, '$1 \n\t');

  it('accepts every object without repeated names, however its strings look (property)', () => {
    fc.assert(
      fc.property(objects, fc.boolean(), (value, spread) => {
        const text = spread ? spaced(JSON.stringify(value)) : JSON.stringify(value);
        const result = parseJsonObject(text);
        // Never misread: the very object, or — only where JSON.parse itself misdecodes an escaped name
        // (seen on Node 24, see json.ts) and only for a text with one — a refusal.
        if (result === undefined && JSON_PARSE_MISDECODES_NAMES) expect(hasEscapedName(value)).toBe(true);
        else expect(result).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every object with one member name repeated (property)', () => {
    fc.assert(
      fc.property(objects, fc.nat(), fc.jsonValue({ maxDepth: 1 }), (value, pick, extra) => {
        const names = Object.keys(value);
        const name = names[pick % names.length] as string;
        const text = `${JSON.stringify(value).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(extra)}}`;
        expect(parseJsonObject(text)).toBeUndefined();
        expect(parseJsonObject(`{"outer":${text}}`)).toBeUndefined();
        expect(parseJsonObject(`{"list":[1,${text}]}`)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});

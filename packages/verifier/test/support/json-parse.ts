import { vi } from 'vitest';

/**
 * Makes JSON.parse answer `misread` for `text`, and as usual for anything else (undone by
 * `vi.restoreAllMocks()`): the second check json.ts makes of a text with an escaped name exists for a
 * JSON.parse that misreads (Node 24's V8 decodes a one-character escaped name such as "\t" as a
 * backslash once a process has parsed some thousands of texts), which a test cannot wait for.
 */
export function misreading(text: string, misread: unknown): void {
  const parse = JSON.parse.bind(JSON);
  vi.spyOn(JSON, 'parse').mockImplementation((source: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => (source === text ? misread : parse(source, reviver)));
}

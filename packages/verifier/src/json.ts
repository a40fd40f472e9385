/**
 * Parses a JWS header or JWT payload: valid JSON (RFC 8259), an object at the top, and no member
 * name twice in any object (RFC 7515 §5.2 lets a parser reject duplicates; accepting them lets two
 * parsers disagree on a claim's value). Returns `undefined` for anything else.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return hasDuplicateMember(text) ? undefined : (value as Record<string, unknown>);
}

/** Scans JSON text that JSON.parse accepted and reports whether any object repeats a member name. */
function hasDuplicateMember(text: string): boolean {
  // One entry per open container: a set of member names for objects, null for arrays.
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push(new Set());
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      const members = stack[stack.length - 1];
      if (members && isMemberName(text, end)) {
        // Compare decoded names, so "a" and "\u0061" count as the same member.
        const raw = text.slice(i + 1, end - 1);
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
        if (members.has(name)) return true;
        members.add(name);
      }
      i = end;
    } else {
      i++;
    }
  }
  return false;
}

/** Index just past the closing quote of the string that opens at `start`. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return i;
}

/** A string inside an object is a member name when the next non-space character is a colon. */
function isMemberName(text: string, after: number): boolean {
  let i = after;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else return c === 0x3a /* : */;
  }
  return false;
}

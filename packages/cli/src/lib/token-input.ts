import { UsageError } from './errors.js';
import { readStdin, StdinIsTerminal, type CliIo } from './io.js';

/**
 * The token to check: the argument, or stdin when it is `-` or left out (stdin keeps the token out
 * of the shell history and the process list). Surrounding whitespace and a `Bearer ` prefix are
 * dropped. The token is never echoed in messages.
 */
export async function readToken(positional: string | undefined, io: CliIo): Promise<string> {
  let text: string;
  if (positional === undefined || positional === '-') {
    try {
      text = await readStdin(io, 'token');
    } catch (error) {
      if (error instanceof StdinIsTerminal) throw new UsageError(error.message);
      throw error;
    }
  } else {
    text = positional;
  }
  const token = text.trim().replace(/^Bearer\s+/i, '');
  if (token.length === 0) throw new UsageError('the token is empty: pass it as an argument or pipe it on stdin');
  if (/\s/.test(token)) throw new UsageError('the input holds more than one word: give exactly one token');
  return token;
}

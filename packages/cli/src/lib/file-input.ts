import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';
import { readStdinBytes, StdinIsTerminal, type CliIo } from './io.js';

/**
 * The bytes of a file argument, or of stdin when it is `-` or left out, exactly as they are (a
 * payload to sign or to check is never trimmed). `what` names the input in messages.
 */
export async function readInputBytes(path: string | undefined, io: CliIo, what: string): Promise<Buffer> {
  if (path === undefined || path === '-') {
    try {
      return await readStdinBytes(io, what);
    } catch (error) {
      if (error instanceof StdinIsTerminal) throw new UsageError(`no ${what} given: pass a file or pipe it on stdin`);
      throw error;
    }
  }
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

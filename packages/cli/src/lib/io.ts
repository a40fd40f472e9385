/** Where a command reads its input and writes its output: the process's streams, or a caller's. */
export interface CliIo {
  /** Read for a token or claims given as `-` (or left out); a TTY is never read. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Results only: the token, the JWKS, the verified claims; bytes for `verify-message`'s verified message (written as signed). */
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  /** Progress, warnings and errors. */
  readonly stderr: { write(text: string): unknown };
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** Reads all of stdin as UTF-8; refuses a terminal (the input would have to be typed). */
export async function readStdin(io: CliIo, what: string): Promise<string> {
  return (await readStdinBytes(io, what)).toString('utf8');
}

/** Reads all of stdin as bytes, exactly; refuses a terminal. */
export async function readStdinBytes(io: CliIo, what: string): Promise<Buffer> {
  if (io.stdin.isTTY) throw new StdinIsTerminal(what);
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Thrown by {@link readStdin} when stdin is a terminal. */
export class StdinIsTerminal extends Error {
  constructor(readonly what: string) {
    super(`no ${what} given: pass it as an argument or pipe it on stdin`);
  }
}

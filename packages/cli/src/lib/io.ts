/** Where a command reads its input and writes its output: the process's streams, or a caller's. */
export interface CliIo {
  /** Read for a token or claims given as `-` (or left out); a TTY is never read. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Results only: the token, the JWKS, the verified claims. */
  readonly stdout: { write(text: string): unknown };
  /** Progress, warnings and errors. */
  readonly stderr: { write(text: string): unknown };
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** Reads all of stdin as UTF-8; refuses a terminal (the input would have to be typed). */
export async function readStdin(io: CliIo, what: string): Promise<string> {
  if (io.stdin.isTTY) throw new StdinIsTerminal(what);
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Thrown by {@link readStdin} when stdin is a terminal. */
export class StdinIsTerminal extends Error {
  constructor(readonly what: string) {
    super(`no ${what} given: pass it as an argument or pipe it on stdin`);
  }
}

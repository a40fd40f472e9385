import { spawn, type ChildProcess } from 'node:child_process';

/** A `start` script running as a child process. */
export interface StartedScript {
  /** Everything it printed so far. */
  output(): string;
  /** The first capture of `pattern` in its output, waiting for it (rejects if the script exits first, or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends SIGTERM and resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `node <entry>` with `env` added to this process's environment. */
export function startScript(entry: string, env: Readonly<Record<string, string>> = {}): StartedScript {
  const child: ChildProcess = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  return {
    output: () => output,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match[1] ?? match[0];
        if (exitCode !== undefined) throw new Error(`the script exited (${String(exitCode)}) before printing ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the script did not print ${pattern} within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}

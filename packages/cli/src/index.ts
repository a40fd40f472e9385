export { runCli } from './run-cli.js';
export { EXIT_CODES, type ExitCode } from './lib/exit-codes.js';
export type { CliIo } from './lib/io.js';

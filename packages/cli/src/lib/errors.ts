import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/**
 * An error the user can act on: printed as one line (`kms-jwt <command>: <message>`), never with a
 * stack trace, and the process exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** The command line is wrong (exit 2); the message is followed by `help`, else by a pointer to `--help`. */
export class UsageError extends CliError {
  /** Help text to print after the message. Default: a line pointing to the command's `--help`. */
  readonly help: string | undefined;

  constructor(message: string, options?: { cause?: unknown; help?: string }) {
    super(message, EXIT_CODES.usage, options?.cause === undefined ? undefined : { cause: options.cause });
    this.help = options?.help;
  }
}

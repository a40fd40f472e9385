import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import type { ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

/** The `options` of a `parseArgs` configuration. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What `parseArgs` gives back for these options (strict, with positionals). */
export type ParsedArgs<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>;

/** The part of a command that does the work; loaded only when the command runs. */
export interface CommandModule<O extends OptionsConfig> {
  run(args: ParsedArgs<O>, io: CliIo): Promise<ExitCode>;
}

/** A command as the dispatcher sees it. */
export interface Command {
  /** `sign`, or `keys create` for a subcommand. */
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The whole `--help` text. */
  readonly usage: string;
  /** Parses the arguments after the command name and runs it; a usage mistake throws a {@link UsageError}. */
  execute(argv: readonly string[], io: CliIo): Promise<ExitCode>;
}

/** `--help` / `-h`, accepted by every command. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** `--endpoint` and `--region`, accepted by every command that calls KMS. */
export const KMS_OPTIONS = { endpoint: { type: 'string' }, region: { type: 'string' } } as const;

/** The help lines of {@link KMS_OPTIONS}. */
export const KMS_OPTIONS_USAGE = `  --endpoint <url>      KMS endpoint, e.g. kms-local's http://127.0.0.1:4599
                        (default: AWS_ENDPOINT_URL_KMS, else the region's KMS)
  --region <name>       AWS region (default: AWS_REGION, else the AWS config file)`;

/**
 * Defines a command: its help text and flags, parsed before its `run` module is loaded, so that
 * `--help` and usage errors answer at once without loading the AWS SDK.
 */
export function defineCommand<O extends OptionsConfig>(definition: {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: O;
  /** How many positional arguments it takes. */
  readonly maxPositionals: number;
  readonly load: () => Promise<CommandModule<O>>;
}): Command {
  return {
    name: definition.name,
    summary: definition.summary,
    usage: definition.usage,
    async execute(argv, io) {
      let args: ParsedArgs<O>;
      try {
        args = parseArgs({ args: [...argv], options: definition.options, strict: true, allowPositionals: true });
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      if ((args.values as { help?: boolean }).help === true) {
        io.stdout.write(definition.usage);
        return 0;
      }
      if (args.positionals.length > definition.maxPositionals) {
        // The arguments are not echoed: one of them may be a token.
        const most = definition.maxPositionals === 0 ? 'no arguments' : definition.maxPositionals === 1 ? 'at most one argument' : `at most ${definition.maxPositionals} arguments`;
        throw new UsageError(`takes ${most} besides its flags, got ${args.positionals.length}`);
      }
      const module = await definition.load();
      return module.run(args, io);
    },
  };
}

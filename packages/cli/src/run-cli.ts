import { COMMANDS } from './commands/index.js';
import type { Command } from './lib/command.js';
import { CliError, UsageError } from './lib/errors.js';
import { EXIT_CODES, type ExitCode } from './lib/exit-codes.js';
import { processIo, type CliIo } from './lib/io.js';
import { packageVersion } from './lib/version.js';

const NAME_WIDTH = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;

function pad(name: string): string {
  return name.padEnd(NAME_WIDTH);
}

/** A command group (`keys`, `revoked`): its subcommands, `list, create, ... or cancel-deletion`, and its help. */
interface Group {
  readonly commands: readonly { readonly command: Command; readonly subcommand: string }[];
  readonly names: string;
  readonly usage: string;
}

function group(name: string): Group {
  const commands = COMMANDS.filter((command) => command.name.startsWith(`${name} `)).map((command) => ({ command, subcommand: command.name.slice(name.length + 1) }));
  const names = commands.length === 1 ? (commands[0]?.subcommand ?? '') : `${commands.slice(0, -1).map(({ subcommand }) => subcommand).join(', ')} or ${commands.at(-1)?.subcommand ?? ''}`;
  const usage = `Usage: kms-jwt ${name} <command> [options]

Commands:
${commands.map(({ command, subcommand }) => `  ${pad(subcommand)}${command.summary}`).join('\n')}

Run kms-jwt ${name} <command> --help for its flags.
`;
  return { commands, names, usage };
}

const GROUPS: ReadonlyMap<string, Group> = new Map([
  ['keys', group('keys')],
  ['revoked', group('revoked')],
]);

const USAGE = `Usage: kms-jwt <command> [options]

JWTs signed by AWS KMS keys: create, rotate, list and retire keys, sign, verify against KMS or
offline, inspect, export JWKS, sign and verify messages between services, revoke tokens across a
fleet of verifiers on Redis, and run kms-local for development.

Commands:
${COMMANDS.map((command) => `  ${pad(command.name)}${command.summary}`).join('\n')}

Run kms-jwt <command> --help for a command's flags and exit codes.
Commands that call KMS take --endpoint <url> (e.g. kms-local's) and --region <name>; otherwise the
AWS SDK's configuration applies (AWS_ENDPOINT_URL_KMS, AWS_REGION, AWS_PROFILE, credentials chain).

Commands of a kms-jwt-fleet (revoke, revoked list, keys recheck) take --redis-url <url>
(default: REDIS_URL).

Exit codes: 0 success; 1 failed (invalid token or message, KMS refused); 2 usage error;
            3 KMS, the key source or Redis unavailable.

Options:
  -h, --help     show this help
  -v, --version  print the version
`;

const HELP_FLAGS = new Set(['-h', '--help']);

/** Finds the command named by the first one or two arguments, or the help text asked for. */
function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } | { help: string } {
  const [first, second] = argv;
  if (first === undefined) throw new UsageError('no command given', { help: USAGE });
  if (HELP_FLAGS.has(first)) return { help: USAGE };
  if (first === 'help') {
    if (second === undefined) return { help: USAGE };
    const named = GROUPS.get(second);
    if (named !== undefined && argv[2] === undefined) return { help: named.usage };
    const found = findCommand(argv.slice(1));
    return 'command' in found ? { help: found.command.usage } : found;
  }
  const inGroup = GROUPS.get(first);
  if (inGroup !== undefined) {
    if (second === undefined) throw new UsageError(`${first} needs a subcommand: ${inGroup.names}`, { help: inGroup.usage });
    if (HELP_FLAGS.has(second)) return { help: inGroup.usage };
    const command = inGroup.commands.find(({ subcommand }) => subcommand === second)?.command;
    if (command === undefined) throw new UsageError(`unknown ${first} subcommand '${second.length > 24 ? `${second.slice(0, 12)}...` : second}': use ${inGroup.names}`, { help: inGroup.usage });
    return { command, rest: argv.slice(2) };
  }
  const command = COMMANDS.find((candidate) => candidate.name === first);
  if (command === undefined) {
    // Shown shortened: a mistyped command line may start with a token.
    const shown = first.length > 24 ? `${first.slice(0, 12)}...` : first;
    throw new UsageError(first.startsWith('-') ? `unknown option '${shown}' before the command` : `unknown command '${shown}'`, { help: USAGE });
  }
  return { command, rest: argv.slice(1) };
}

/**
 * Runs `kms-jwt` with these arguments (without `node` and the script) and resolves to its exit
 * code; output goes to `io` (the process's streams by default). User errors are printed as one line
 * on stderr, never thrown. `local` runs until the process gets SIGINT or SIGTERM.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let name = 'kms-jwt';
  try {
    if (argv[0] === '--version' || argv[0] === '-v') {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT_CODES.success;
    }
    const found = findCommand(argv);
    if ('help' in found) {
      io.stdout.write(found.help);
      return EXIT_CODES.success;
    }
    name = `kms-jwt ${found.command.name}`;
    return await found.command.execute(found.rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const helpText = error.help === undefined ? `Run '${name} --help' for usage.\n` : `\n${error.help}`;
      io.stderr.write(`${name}: ${error.message}\n${helpText}`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      return error.exitCode;
    }
    // Not a mistake the user can fix from the message alone: show the message, and the stack on request.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${name}: ${message}\n`);
    if (process.env['KMS_JWT_DEBUG'] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    else io.stderr.write('(set KMS_JWT_DEBUG=1 to see where it happened)\n');
    return EXIT_CODES.failure;
  }
}

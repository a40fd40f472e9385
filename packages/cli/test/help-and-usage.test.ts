import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectNoStackTrace, runKmsJwt, scratchDir } from './support.js';

const COMMANDS = [
  ['sign', 'Usage: kms-jwt sign --key-id <key>'],
  ['verify', 'Usage: kms-jwt verify [token|-]'],
  ['sign-message', 'Usage: kms-jwt sign-message --key-id <key> [file|-]'],
  ['verify-message', 'Usage: kms-jwt verify-message [file|-] [--detached <file>]'],
  ['inspect', 'Usage: kms-jwt inspect [token|-]'],
  ['jwks', 'Usage: kms-jwt jwks (--key <arn|id> | --alias <name>)...'],
  ['keys list', 'Usage: kms-jwt keys list [--signing] [--json]'],
  ['keys create', 'Usage: kms-jwt keys create [--spec <spec>]'],
  ['keys rotate', 'Usage: kms-jwt keys rotate --alias <name> [--to-key <arn|id>]'],
  ['keys disable', 'Usage: kms-jwt keys disable <key> [--force]'],
  ['keys enable', 'Usage: kms-jwt keys enable <key>'],
  ['keys schedule-deletion', 'Usage: kms-jwt keys schedule-deletion <key> [--days <n>] [--force]'],
  ['keys cancel-deletion', 'Usage: kms-jwt keys cancel-deletion <key>'],
  ['keys recheck', 'Usage: kms-jwt keys recheck <key-arn> [--disabled]'],
  ['revoke', 'Usage: kms-jwt revoke --iss <iss> --jti <jti> --exp <epoch|duration>'],
  ['revoked list', 'Usage: kms-jwt revoked list [--json]'],
  ['local', 'Usage: kms-jwt local [options]'],
] as const;

/** Commands that call KMS, and so take --endpoint and --region. */
const KMS_COMMANDS = new Set(['sign', 'verify', 'sign-message', 'verify-message', 'jwks', 'keys list', 'keys create', 'keys rotate', 'keys disable', 'keys enable', 'keys schedule-deletion', 'keys cancel-deletion']);

const KEY_ID = '0f4c6a5e-4b1f-4c39-9d57-1c1b2f3d4e5f';

describe.concurrent('kms-jwt help and usage errors', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
  }, 180_000);

  afterAll(() => remove());

  it.each([['--help'], ['-h'], ['help']])('prints the top-level help listing every command for %s and exits 0', async (flag) => {
    const result = await runKmsJwt([flag], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kms-jwt <command> \[options\]/);
    for (const [name] of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(result.stdout).toContain('Exit codes: 0 success; 1 failed');
    expect(result.stderr).toBe('');
  });

  it.each([[['keys', '--help']], [['help', 'keys']]])('prints the keys subcommands for %j and exits 0', async (args) => {
    const result = await runKmsJwt(args, dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kms-jwt keys <command> \[options\]\n\nCommands:\n/);
    for (const [name] of COMMANDS.filter(([name]) => name.startsWith('keys '))) expect(result.stdout).toMatch(new RegExp(`^  ${name.slice(5)} +\\S`, 'm'));
    expect(result.stderr).toBe('');
  });

  it('prints the version from package.json for --version', async () => {
    const result = await runKmsJwt(['--version'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  describe.each(COMMANDS)('kms-jwt %s', (name, usage) => {
    const argv = name.split(' ');

    it.each([['--help'], ['-h']])('prints its usage, flags and exit codes for %s and exits 0', async (flag) => {
      const result = await runKmsJwt([...argv, flag], dir);
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(usage)).toBe(true);
      expect(result.stdout).toContain('Exit codes: 0 ');
      expect(result.stdout).toContain('-h, --help');
      expect(result.stdout.includes('--endpoint <url>') && result.stdout.includes('--region <name>')).toBe(KMS_COMMANDS.has(name));
      expect(result.stderr).toBe('');
    });

    it('prints the same usage for kms-jwt help <command>', async () => {
      const result = await runKmsJwt(['help', ...argv], dir);
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(usage)).toBe(true);
    });

    it('exits 2 for an unknown flag, naming it and pointing to --help, with nothing on stdout', async () => {
      const result = await runKmsJwt([...argv, '--no-such-flag'], dir);
      expect(result.code).toBe(2);
      expect(result.stderr.startsWith(`kms-jwt ${name}: Unknown option '--no-such-flag'.`)).toBe(true);
      expect(result.stderr.endsWith(`\nRun 'kms-jwt ${name} --help' for usage.\n`)).toBe(true);
      expect(result.stdout).toBe('');
    });
  });

  it.each([
    [[], /^kms-jwt: no command given\n\nUsage: kms-jwt <command>/],
    [['frobnicate'], /^kms-jwt: unknown command 'frobnicate'\n\nUsage: kms-jwt <command>/],
    [['--verbose'], /^kms-jwt: unknown option '--verbose' before the command/],
    [['keys'], /^kms-jwt: keys needs a subcommand: list, create, rotate, disable, enable, schedule-deletion, cancel-deletion or recheck\n\nUsage: kms-jwt keys <command>/],
    [['keys', 'delete'], /^kms-jwt: unknown keys subcommand 'delete': use list, create, rotate, disable, enable, schedule-deletion, cancel-deletion or recheck/],
    [['revoked'], /^kms-jwt: revoked needs a subcommand: list\n\nUsage: kms-jwt revoked <command>/],
    [['revoked', 'add'], /^kms-jwt: unknown revoked subcommand 'add': use list/],
    [['sign'], /^kms-jwt sign: --key-id is required/],
    [['sign', '--key-id', 'alias/a', '--expires-in', 'soon'], /^kms-jwt sign: --expires-in must be a duration such as 900, 90s, 15m, 1h or 7d, not soon/],
    [['sign', '--key-id', 'alias/a', '--expires-in', '0'], /^kms-jwt sign: --expires-in must be a duration/],
    [['sign', '--key-id', 'alias/a', '--alg', 'HS256'], /^kms-jwt sign: --alg must be one of ES256, /],
    [['sign', '--key-id', 'alias/a', '--claim', 'no-equals-sign'], /^kms-jwt sign: --claim needs name=value/],
    [['sign', '--key-id', 'alias/a', '--claim-json', 'admin=yes'], /^kms-jwt sign: --claim-json admin: the value is not JSON/],
    [['sign', '--key-id', 'alias/a', '--claims', 'missing.json'], /^kms-jwt sign: --claims: cannot read missing\.json: ENOENT/],
    [['sign', '--key-id', 'alias/a', '--endpoint', 'localhost:4599'], /^kms-jwt sign: --endpoint must be an http:\/\/ or https:\/\/ URL/],
    [['sign', '--key-id', 'alias/a', '--region', 'Mars'], /^kms-jwt sign: --region must be a region name such as us-east-1, not Mars/],
    [['sign', '--key-id', 'alias/a', 'stray'], /^kms-jwt sign: takes no arguments besides its flags, got 1/],
    [['verify', '--jwks', 'k.json', '--audience', 'api'], /^kms-jwt verify: --issuer is required: the accepted iss value\(s\), or --any-issuer to accept any/],
    [['verify', '--jwks', 'k.json', '--issuer', 'https://i'], /^kms-jwt verify: --audience is required: the accepted aud value\(s\), or --any-audience to accept any/],
    [['verify', '--jwks', 'k.json', '--issuer', 'https://i', '--any-issuer', '--any-audience'], /^kms-jwt verify: give --issuer or --any-issuer, not both/],
    [['verify', '--any-issuer', '--any-audience'], /^kms-jwt verify: no keys to verify with: give --key or --alias \(KMS\), or --jwks, --pem with --kid, or --snapshot \(offline\)/],
    [['verify', '--pem', 'k.pem', '--any-issuer', '--any-audience'], /^kms-jwt verify: each --pem needs a --kid \(the key ARN its tokens carry\), in the same order: got 1 --pem and 0 --kid/],
    [['verify', '--key', 'not-a-key', '--any-issuer', '--any-audience'], /^kms-jwt verify: --key not-a-key is not a KMS key ARN or key id \(use --alias for an alias\)/],
    [['verify', '--jwks', 'k.json', '--any-issuer', '--any-audience', '--clock-tolerance', 'a while'], /^kms-jwt verify: --clock-tolerance must be a duration/],
    [['verify', '--jwks', 'k.json', '--any-issuer', '--any-audience', '--max-lifetime', 'forever'], /^kms-jwt verify: --max-lifetime must be a duration such as 1h or 7d, or none/],
    [['verify', '--jwks', 'k.json', '--any-issuer', '--any-audience', '--max-lifetime', '0'], /^kms-jwt verify: --max-lifetime must be a duration/],
    [['verify', '--jwks', 'k.json', '--any-issuer', '--any-audience', 'one', 'two'], /^kms-jwt verify: takes at most one argument besides its flags, got 2/],
    [['sign-message'], /^kms-jwt sign-message: --key-id is required/],
    [['sign-message', '--key-id', 'alias/a', '--expires-in', 'soon'], /^kms-jwt sign-message: --expires-in must be a duration such as 900, 90s, 15m, 1h or 7d, not soon/],
    [['sign-message', '--key-id', 'alias/a', '--alg', 'HS256'], /^kms-jwt sign-message: --alg must be one of ES256, /],
    [['sign-message', '--key-id', 'alias/a', '--message-id', ''], /^kms-jwt sign-message: --message-id must not be empty/],
    [['sign-message', '--key-id', 'alias/a', 'missing.json'], /^kms-jwt sign-message: cannot read the message missing\.json: ENOENT/],
    [['sign-message', '--key-id', 'alias/a', 'one', 'two'], /^kms-jwt sign-message: takes at most one argument besides its flags, got 2/],
    [['verify-message', '--jwks', 'k.json'], /^kms-jwt verify-message: --max-age is required: the oldest message to accept/],
    [['verify-message', '--jwks', 'k.json', '--max-age', 'forever'], /^kms-jwt verify-message: --max-age must be a duration such as 5m, 1h or 7d, or none, not forever/],
    [['verify-message', '--max-age', '1h'], /^kms-jwt verify-message: no keys to verify with: give --key or --alias/],
    [['verify-message', '--jwks', 'k.json', '--max-age', '1h', '--alg', 'none'], /^kms-jwt verify-message: --alg must be one of ES256, /],
    [['verify-message', '--jwks', 'k.json', '--max-age', '1h', 'missing.jws'], /^kms-jwt verify-message: cannot read the signed message missing\.jws: ENOENT/],
    [['verify-message', '--jwks', 'k.json', '--max-age', '1h', '--detached', 'missing.sig', 'body.json'], /^kms-jwt verify-message: cannot read the detached JWS missing\.sig: ENOENT/],
    [['verify-message', '--jwks', 'k.json', '--max-age', '1h', '--detached', '-'], /^kms-jwt verify-message: --detached - and the message cannot both come from stdin/],
    [['inspect', '--json', 'one', 'two'], /^kms-jwt inspect: takes at most one argument besides its flags, got 2/],
    [['jwks'], /^kms-jwt jwks: name the keys to export: --key <arn\|id> or --alias <name>, repeatable/],
    [['jwks', '--alias', 'a', '--format', 'xml'], /^kms-jwt jwks: --format must be one of jwks, pem, snapshot, not xml/],
    [['keys', 'create', '--spec', 'SYMMETRIC_DEFAULT'], /^kms-jwt keys create: --spec must be one of ECC_NIST_P256, /],
    [['keys', 'create', '--alias', 'alias/aws/kms'], /^kms-jwt keys create: --alias alias\/aws\/kms: alias\/aws\/ names are reserved/],
    [['keys', 'rotate'], /^kms-jwt keys rotate: --alias is required/],
    [['keys', 'rotate', '--alias', 'a', '--to-key', 'alias/b'], /^kms-jwt keys rotate: --to-key alias\/b is not a KMS key ARN or key id\n/],
    [['keys', 'rotate', '--alias', 'a', '--to-key', ''], /^kms-jwt keys rotate: --to-key is empty: give a KMS key ARN or key id\n/],
    [['keys', 'rotate', '--alias', 'a', '--to-key', KEY_ID, '--description', 'next'], /^kms-jwt keys rotate: --description describes the key rotate creates, and with --to-key it creates none\n/],
    [['keys', 'list', 'extra'], /^kms-jwt keys list: takes no arguments besides its flags, got 1/],
    [['keys', 'disable'], /^kms-jwt keys disable: needs the key: a key id, key ARN, alias name \(alias\/\.\.\.\) or alias ARN\n/],
    [['keys', 'enable', 'token-issuer'], /^kms-jwt keys enable: <key> token-issuer is not a key id, key ARN, alias name \(alias\/\.\.\.\) or alias ARN\n/],
    [['keys', 'enable', KEY_ID, KEY_ID], /^kms-jwt keys enable: takes at most one argument besides its flags, got 2/],
    [['keys', 'disable', 'alias/aws/s3'], /^kms-jwt keys disable: <key> alias\/aws\/s3: alias\/aws\/ names are reserved for AWS managed keys/],
    [['keys', 'cancel-deletion', ' '], /^kms-jwt keys cancel-deletion: <key> is empty: give a key id, key ARN, alias name/],
    [['keys', 'schedule-deletion'], /^kms-jwt keys schedule-deletion: needs the key/],
    [['keys', 'schedule-deletion', KEY_ID, '--days', '6'], /^kms-jwt keys schedule-deletion: --days must be a whole number of days from 7 to 30 \(KMS's waiting period\), not 6\n/],
    [['keys', 'schedule-deletion', KEY_ID, '--days', '31'], /^kms-jwt keys schedule-deletion: --days must be a whole number of days from 7 to 30 .*, not 31\n/],
    [['keys', 'schedule-deletion', KEY_ID, '--days', '7.5'], /^kms-jwt keys schedule-deletion: --days must be a whole number of days from 7 to 30 .*, not 7\.5\n/],
    [['keys', 'schedule-deletion', KEY_ID, '--days', '30d'], /^kms-jwt keys schedule-deletion: --days must be a whole number of days from 7 to 30 .*, not 30d\n/],
    [['keys', 'schedule-deletion', KEY_ID, '--days'], /^kms-jwt keys schedule-deletion: Option '--days <value>' argument missing/],
    [['keys', 'disable', KEY_ID, '--endpoint', 'localhost:4599'], /^kms-jwt keys disable: --endpoint must be an http:\/\/ or https:\/\/ URL/],
    [['local', '--port', 'abc'], /^kms-jwt local: --port must be a port number from 0 to 65535, not abc/],
    [['local', '--account-id', '42'], /^kms-jwt local: --account-id must be 12 digits, not 42/],
    [['local', '--region', 'moon'], /^kms-jwt local: --region must be a region name such as us-east-1, not moon/],
  ])('exits 2 with a one-line reason for %j', async (args, message) => {
    const result = await runKmsJwt(args, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it('exits 2 when verify is given no token and stdin is empty', async () => {
    const result = await runKmsJwt(['verify', '--jwks', 'k.json', '--any-issuer', '--any-audience'], dir, { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kms-jwt verify: the token is empty: pass it as an argument or pipe it on stdin/);
  });

  it('does not echo a token given in place of a key', async () => {
    const tokenLike = `eyJhbGciOiJFUzI1NiJ9.${'A'.repeat(40)}.${'B'.repeat(40)}`;
    const result = await runKmsJwt(['keys', 'disable', tokenLike], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("kms-jwt keys disable: <key> eyJhbGciOiJF... is not a key id, key ARN, alias name (alias/...) or alias ARN\nRun 'kms-jwt keys disable --help' for usage.\n");
  });

  it('does not echo a mistyped command that looks like a token', async () => {
    const tokenLike = `eyJhbGciOiJFUzI1NiJ9.${'A'.repeat(40)}.${'B'.repeat(40)}`;
    const result = await runKmsJwt([tokenLike], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'eyJhbGciOiJF...'");
    expect(result.stderr).not.toContain(tokenLike);
  });
});

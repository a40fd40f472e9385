import { createRevocationList, type RevocationList } from 'kms-jwt-fleet';
import { createVerifier, type Verifier } from 'kms-jwt-verifier';
import type { RedisClientType } from 'redis';
import { claimRulesFrom } from '../../lib/claim-rules.js';
import type { ParsedArgs } from '../../lib/command.js';
import { parseDurationSeconds } from '../../lib/duration.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { EXIT_CODES, type ExitCode } from '../../lib/exit-codes.js';
import type { CliIo } from '../../lib/io.js';
import { keySourcesFrom } from '../../lib/key-sources.js';
import { checkKmsFlags } from '../../lib/kms-flags.js';
import { connectRedis, redisTarget, redisUnavailable } from '../../lib/redis-connection.js';
import { openTrustedKeys, type TrustedKeys } from '../../lib/trusted-keys.js';
import { startConsoleServer, type ConsoleServer } from './console-server.js';
import type { consoleOptions } from './definition.js';
import { loadPageAssets } from './page-assets.js';
import { TrustRecorder } from './trust-recorder.js';
import { trustState } from './trust-state.js';
import { verifyToken } from './verify-api.js';

type Values = ParsedArgs<typeof consoleOptions>['values'];

/** The addresses the console listens on: loopback only, so that nothing outside the machine reaches it. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1']);

function listOf(rule: string | readonly string[] | null | undefined): readonly string[] | null {
  return rule === null || rule === undefined ? null : typeof rule === 'string' ? [rule] : rule;
}

function pageFlags(values: Values): { port: number; host: string; aliasRefreshMs: number | undefined } {
  const port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port <= 65535)) throw new UsageError(`--port must be a port number from 0 to 65535, not ${values.port}`);
  if (!LOOPBACK_HOSTS.has(values.host)) throw new UsageError(`--host must be a loopback address, 127.0.0.1 or ::1, not ${values.host}: the console shows tokens and must not be reachable from another machine`);
  let aliasRefreshMs: number | undefined;
  if (values['alias-refresh'] !== undefined) {
    const seconds = parseDurationSeconds(values['alias-refresh']);
    if (seconds === undefined || seconds === 0) throw new UsageError(`--alias-refresh must be a duration such as 10s or 1m, not ${values['alias-refresh']}`);
    aliasRefreshMs = seconds * 1000;
  }
  if (values['key-prefix'] === '') throw new UsageError('--key-prefix must not be empty');
  if (values['key-prefix'] !== undefined && values['redis-url'] === undefined) throw new UsageError('--key-prefix needs --redis-url');
  return { port, host: values.host, aliasRefreshMs };
}

export async function run({ values }: ParsedArgs<typeof consoleOptions>, io: CliIo): Promise<ExitCode> {
  const page = pageFlags(values);
  const rules = claimRulesFrom(values, false);
  const sources = await keySourcesFrom(values);
  checkKmsFlags(values);
  const target = values['redis-url'] === undefined ? undefined : redisTarget(values);
  const assets = await loadPageAssets();

  let stop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const recorder = new TrustRecorder();
  let keys: TrustedKeys | undefined;
  let client: RedisClientType | undefined;
  let list: RevocationList | undefined;
  let server: ConsoleServer | undefined;
  try {
    keys = await openTrustedKeys(sources, values, { ...recorder.hooks(), ...recorder.jwksHooks(), ...(page.aliasRefreshMs === undefined ? {} : { aliasRefreshMs: page.aliasRefreshMs }) });
    let verifier: Verifier;
    try {
      verifier = createVerifier({ keys: keys.provider, ...rules });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message.replace(/^kms-jwt-verifier: /, '') : String(error), { cause: error });
    }
    if (target !== undefined) {
      client = await connectRedis(target);
      list = createRevocationList({ client, ...(values['key-prefix'] === undefined ? {} : { keyPrefix: values['key-prefix'] }) });
      try {
        await list.ready();
      } catch (error) {
        throw redisUnavailable(error, 'load the revocation list', target.where);
      }
    }
    const trusted = keys;
    const fleet = list === undefined || target === undefined ? undefined : { list, where: target.where };
    try {
      server = await startConsoleServer({
        host: page.host,
        port: page.port,
        assets,
        log: (line) => io.stderr.write(`kms-jwt console: ${line}\n`),
        verify: (token) => verifyToken(verifier, token, list),
        state: () =>
          trustState({
            trusted,
            recorder,
            configuredKeys: values.key ?? [],
            offlineSnapshot: values.snapshot !== undefined && !sources.usesKms,
            claims: { issuer: listOf(rules.issuer), audience: listOf(rules.audience) },
            fleet,
            nowMs: Date.now,
          }),
      });
    } catch (error) {
      throw new CliError(`cannot start the console on ${page.host}:${page.port}: ${error instanceof Error ? error.message : String(error)}`, EXIT_CODES.failure, { cause: error });
    }
    io.stdout.write(
      [
        `kms-jwt console on ${server.url}`,
        `trusting the keys of ${trusted.where}${fleet === undefined ? '' : `, revocations from ${fleet.where}`}`,
        'Open it in a browser on this machine; tokens pasted there stay on it. Press Ctrl+C to stop.',
        '',
      ].join('\n'),
    );
    await stopRequested;
    io.stderr.write('kms-jwt console stopped\n');
    return EXIT_CODES.success;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server?.close();
    await list?.close();
    client?.destroy();
    keys?.close();
  }
}

import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { createPublicKey } from 'node:crypto';
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { format, inspect } from 'node:util';
import { createKmsJwtSigner, type KmsJwtSigner } from 'kms-jwt-signer';
import { createVerifier, type JwtPayload, type VerifiedToken, type Verifier, type VerifyOverrides } from 'kms-jwt-verifier';
import { startKmsLocal, type FaultRule, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { REALM, type AdapterUnderTest } from '../../adapters/support/apps.js';
import { listen } from '../../adapters/support/http.js';
import { AUDIENCE, ISSUER, startKmsWorld, type KmsWorld } from '../../adapters/support/kms.js';
import { caseArbitrary, expectation, render, TOKEN_COOKIE, TOKEN_NAMES, type AdapterKind, type Case, type Expectation, type FaultSpec, type Material, type PublicKeyForms, type Rendered } from './model.js';

/** Timers that never fire: the providers refresh only when a request needs it. */
const idle = { setTimeout: () => 0, clearTimeout: () => undefined };
const CLAIMS = { sub: 'user-1', scope: 'orders:read profile' };
/** Tokens are signed again after this long, so long runs never see a valid token expire. */
const TOKEN_REFRESH_MS = 60_000;
/** The previous key's grace window (the world's provider's default maxTokenLifetimeMs: 1 hour), with a margin. */
const PREVIOUS_TRUSTED_MS = 55 * 60_000;
/** The flaky provider's key cache: long, so KMS is asked only when a case expires the key on purpose. */
const FLAKY_CACHE_MS = 600_000;
/** The longest a request may take; a fault adds at most 5 ms (and the provider gives KMS 2 s). Past this the case fails as a hang. */
const REQUEST_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// The capturing logger

function jsonOrString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * An error as a structured logger records it: name, message, every own property (status, code,
 * headers, body, the SDK's metadata, ...) and the chain of causes. The stack is left out: it holds
 * code locations and the message again, and formatting it (with vitest's source maps) costs more
 * than the rest of a case.
 */
export function errorLine(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : inspect(error, { depth: 4, breakLength: Infinity });
  let line = `${error.name}: ${error.message}`;
  for (const [key, value] of Object.entries(error)) line += ` ${key}=${jsonOrString(value)}`;
  if (error.cause !== undefined) line += depth < 6 ? ` cause: [${errorLine(error.cause, depth + 1)}]` : ' cause: [...]';
  return line;
}

/**
 * Records every line the process would log while the fuzzer runs: console calls, writes to stdout
 * and stderr, process warnings, unhandled rejections and uncaught exceptions, errors that reach the
 * apps' error handling (`AppDeps.onError`), and every error the verifiers reject a token with (as a
 * logging wrapper would record them: {@link errorLine}). Lines are swallowed, not printed: a leak
 * must fail the test, not land in CI's log.
 */
export class Capture {
  /** Lines since the last {@link take}. */
  #lines: string[] = [];
  total = 0;
  unhandledRejections = 0;
  uncaughtExceptions = 0;
  #restore: (() => void) | undefined;

  record(line: string): void {
    this.#lines.push(line);
    this.total += 1;
  }

  recordError(error: unknown): void {
    this.record(errorLine(error));
  }

  /** The lines recorded since the last call. */
  take(): string[] {
    const lines = this.#lines;
    this.#lines = [];
    return lines;
  }

  install(): void {
    if (this.#restore) return;
    const restores: (() => void)[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method];
      console[method] = (...args: unknown[]) => this.record(format(...args));
      restores.push(() => {
        console[method] = original;
      });
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.record(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
        callback?.();
        return true;
      }) as typeof stream.write;
      restores.push(() => {
        stream.write = original;
      });
    }
    const onRejection = (reason: unknown) => {
      this.unhandledRejections += 1;
      this.recordError(reason);
    };
    const onException = (error: unknown) => {
      this.uncaughtExceptions += 1;
      this.recordError(error);
    };
    const onWarning = (warning: Error) => this.recordError(warning);
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    process.on('warning', onWarning);
    restores.push(() => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      process.off('warning', onWarning);
    });
    this.#restore = () => {
      for (const restore of restores.reverse()) restore();
    };
  }

  uninstall(): void {
    this.#restore?.();
    this.#restore = undefined;
  }
}

/** A verifier that records every error it rejects a token with, then rejects with it unchanged. */
function logging(verifier: Verifier, capture: Capture): Verifier {
  return {
    verify<P extends object = JwtPayload>(token: string, overrides?: VerifyOverrides): Promise<VerifiedToken<P>> {
      return verifier.verify<P>(token, overrides).catch((error: unknown) => {
        capture.recordError(error);
        throw error;
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The key sources

/** A second kms-local for `/cold/orders`: its own key and tokens, a provider that asks KMS when a case expires its key, and faults injected per case. */
interface FlakyKeySource {
  readonly kms: KmsLocal;
  readonly keyArn: string;
  readonly verifier: Verifier;
  sign(): Promise<string>;
  /** Moves the provider's clock past its cache age: the next request must fetch the key (and meets the case's fault). */
  expire(): void;
  close(): Promise<void>;
}

async function startFlakyKeySource(capture: Capture): Promise<FlakyKeySource> {
  const kms = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: (error) => capture.recordError(error) });
  const admin = new KMSClient(kms.clientConfig);
  const client = new KMSClient({ ...kms.clientConfig, maxAttempts: 1 });
  const { KeyMetadata } = await admin.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  const keyArn = KeyMetadata?.Arn;
  if (keyArn === undefined) throw new Error('kms-local created a key without an ARN');
  let skewMs = 0;
  const provider = createKmsKeyProvider({
    client,
    keys: [keyArn],
    cacheMaxAgeMs: FLAKY_CACHE_MS,
    maxStaleMs: 0,
    failureCooldownMs: 250,
    requestTimeoutMs: 2_000,
    timers: idle,
    nowMs: () => Date.now() + skewMs,
  });
  const signer = createKmsJwtSigner({ keyId: keyArn, client: admin, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
  return {
    kms,
    keyArn,
    verifier: createVerifier({ keys: provider, issuer: ISSUER, audience: AUDIENCE }),
    sign: () => signer.sign(CLAIMS),
    expire() {
      skewMs += FLAKY_CACHE_MS + 1;
    },
    async close() {
      provider.close();
      admin.destroy();
      client.destroy();
      await kms.close();
    },
  };
}

/** A KMS key's public key in the forms an algorithm-confusion attack tries as an HMAC secret. */
async function publicKeyForms(client: KMSClient, keyId: string): Promise<PublicKeyForms> {
  const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  if (PublicKey === undefined) throw new Error('kms-local answered GetPublicKey without a key');
  const key = createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' });
  return { pem: key.export({ format: 'pem', type: 'spki' }).toString(), der: Buffer.from(PublicKey), jwk: JSON.stringify(key.export({ format: 'jwk' })) };
}

/** Everything the three adapters' runs share: the KMS world, the flaky key source, the tokens, the logger. */
export interface FuzzEnvironment {
  readonly world: KmsWorld;
  readonly flaky: FlakyKeySource;
  readonly capture: Capture;
  /** The strings the model's names stand for, as of now. */
  material(): Material;
  /** Signs fresh valid tokens once the current ones are a minute old. */
  refreshTokens(): Promise<void>;
  close(): Promise<void>;
}

export async function startFuzzEnvironment(): Promise<FuzzEnvironment> {
  const capture = new Capture();
  const world = await startKmsWorld();
  const flaky = await startFlakyKeySource(capture);
  const startedAt = Date.now();
  const admin = new KMSClient(world.kmsLocal.clientConfig);
  const signerFor = (keyId: string): KmsJwtSigner => createKmsJwtSigner({ keyId, client: admin, expiresInSeconds: 300, issuer: ISSUER, audience: AUDIENCE });
  const currentSigner = signerFor(world.currentKeyArn);
  const previousSigner = signerFor(world.previousKeyArn);
  let tokens: Material['tokens'] = { ...world.tokens, flaky: await flaky.sign() };
  let signedAt = Date.now();
  const kids = { current: world.currentKeyArn, previous: world.previousKeyArn, flaky: flaky.keyArn };
  const flakyAdmin = new KMSClient(flaky.kms.clientConfig);
  const publicKeys = {
    current: await publicKeyForms(admin, world.currentKeyArn),
    previous: await publicKeyForms(admin, world.previousKeyArn),
    flaky: await publicKeyForms(flakyAdmin, flaky.keyArn),
  };
  flakyAdmin.destroy();
  return {
    world,
    flaky,
    capture,
    material: () => ({
      tokens,
      kids,
      publicKeys,
      issuer: ISSUER,
      audience: AUDIENCE,
      previousTrusted: Date.now() - startedAt < PREVIOUS_TRUSTED_MS,
      nowSeconds: Math.floor(Date.now() / 1000),
    }),
    async refreshTokens() {
      if (Date.now() - signedAt < TOKEN_REFRESH_MS) return;
      signedAt = Date.now();
      const [current, previous, flakyToken] = await Promise.all([currentSigner.sign(CLAIMS), previousSigner.sign(CLAIMS), flaky.sign()]);
      tokens = { ...tokens, current, previous, flaky: flakyToken };
    },
    async close() {
      capture.uninstall();
      admin.destroy();
      await flaky.close();
      await world.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One adapter's run

interface Answer {
  readonly status: number;
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** Sends one rendered request over the keep-alive agent, exactly as rendered (path not re-parsed, header lines as given). */
function send(agent: Agent, port: number, rendered: Rendered): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Headers as a flat list of names and values: sent exactly so (names' case, order, repeated names), and without the Host Node would add.
    const headers = ['Host', `127.0.0.1:${port}`, ...rendered.headers.flat()];
    const outgoing = request({ agent, host: '127.0.0.1', port, path: rendered.path, method: 'GET', headers: headers as unknown as OutgoingHttpHeaders }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: the server hung`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function faultRule(fault: FaultSpec): FaultRule {
  if (fault.type === 'unavailable') return { type: fault.type, rate: fault.rate, errorType: fault.errorType };
  if (fault.type === 'latency') return { type: fault.type, rate: fault.rate, latencyMs: fault.latencyMs };
  return { type: fault.type, rate: fault.rate };
}

/** Strings that must never appear in an answer or a log line, by a printable name. */
type Secrets = ReadonlyMap<string, string>;

/** Shortest sent string checked for leaks: shorter ones can occur in any text by chance. */
const MIN_SECRET_LENGTH = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** A sent string holds token material only if some base64url run in it is as long as a secret. */
const SIGNATURE_LIKE = new RegExp(`[A-Za-z0-9_-]{${MIN_SECRET_LENGTH}}`);

const materialSecrets = new WeakMap<Material['tokens'], ReadonlyMap<string, string>>();

function secretsOf(material: Material, sent: readonly string[]): Secrets {
  let known = materialSecrets.get(material.tokens);
  if (known === undefined) {
    const entries = new Map<string, string>();
    for (const name of TOKEN_NAMES) {
      entries.set(`the ${name} token`, material.tokens[name]);
      entries.set(`the ${name} token's signature`, material.tokens[name].split('.')[2] ?? '');
    }
    materialSecrets.set(material.tokens, entries);
    known = entries;
  }
  const secrets = new Map(known);
  sent.forEach((token, index) => {
    if (token.length >= MIN_SECRET_LENGTH && SIGNATURE_LIKE.test(token)) secrets.set(`sent token #${index + 1}`, token);
    const signature = token.slice(token.lastIndexOf('.') + 1);
    // Only a base64url last segment is signature-like: a fuzzed one such as {"sub":"user-1"} is the answer's own text, not a secret.
    if (signature.length >= MIN_SECRET_LENGTH && signature !== token && BASE64URL.test(signature)) secrets.set(`sent token #${index + 1}'s last segment`, signature);
  });
  return secrets;
}

function leak(text: string, secrets: Secrets): string | undefined {
  for (const [name, secret] of secrets) if (secret !== '' && text.includes(secret)) return name;
  return undefined;
}

/** Replaces the material tokens with their names and shortens long strings, so a failure message prints no token. */
function redact(text: string, material: Material, maxLength = 600): string {
  let out = text;
  for (const name of TOKEN_NAMES) out = out.split(material.tokens[name]).join(`<${name} token>`);
  return out.length > maxLength ? `${out.slice(0, maxLength)}… (${out.length} chars)` : out;
}

function describeRequest(rendered: Rendered, material: Material): string {
  const short = (value: string) => {
    const text = JSON.stringify(redact(value, material, Infinity));
    return text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text;
  };
  return [`GET ${short(rendered.path)}`, ...rendered.headers.map(([name, value]) => `${name}: ${short(value)}`)].join(' | ');
}

function header(answer: Answer, name: string): string | undefined {
  for (let i = 0; i < answer.rawHeaders.length; i += 2) if (answer.rawHeaders[i]?.toLowerCase() === name) return answer.rawHeaders[i + 1];
  return undefined;
}

const ERRORS: Readonly<Record<number, readonly string[]>> = {
  400: ['invalid_request'],
  401: ['invalid_token', 'unauthorized'],
  403: ['insufficient_scope'],
  503: ['temporarily_unavailable'],
};

/** Everything wrong with one answer (empty when it holds every invariant). */
function problemsOf(answer: Answer, expected: Expectation, secrets: Secrets): string[] {
  const problems: string[] = [];
  const { status } = answer;
  if (!expected.statuses.has(status)) problems.push(`status ${status}, expected ${[...expected.statuses].join(' or ')} (${expected.reason})`);
  let body: { error?: unknown; sub?: unknown } | undefined;
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    problems.push('the body is not JSON');
  }
  const challenge = header(answer, 'www-authenticate');
  if (status === 400 || status === 401 || status === 403) {
    if (!challenge?.startsWith(`Bearer realm="${REALM}"`)) problems.push(`a ${status} without a Bearer WWW-Authenticate challenge`);
    const error = String(body?.error);
    if (!ERRORS[status]?.includes(error)) problems.push(`a ${status} with error ${error}`);
    else if (status === 401 && error !== (expected.token === undefined ? 'unauthorized' : 'invalid_token')) problems.push(`a 401 with error ${error} (${expected.reason})`);
    if (error !== 'unauthorized' && !challenge?.includes(`error="${error}"`)) problems.push('the challenge does not name the error of the body');
  } else if (status === 503) {
    if (header(answer, 'retry-after') === undefined) problems.push('a 503 without Retry-After');
    if (challenge !== undefined) problems.push('a 503 with a WWW-Authenticate challenge');
    if (body?.error !== 'temporarily_unavailable') problems.push(`a 503 with error ${String(body?.error)}`);
  } else if (status === 200 && body?.sub !== 'user-1') {
    problems.push('a 200 that does not answer the token subject');
  }
  const inAnswer = leak(`${answer.rawHeaders.join('\n')}\n${answer.body}`, secrets);
  if (inAnswer !== undefined) problems.push(`the answer contains ${inAnswer}`);
  return problems;
}

/** What one adapter's run saw. */
export interface AdapterReport {
  readonly adapter: string;
  cases: number;
  readonly statuses: Map<number, number>;
  /** Flaky-route requests sent while a KMS fault was injected. */
  faulted: number;
  /** Calls kms-local received during the run: the keys' kms-local (all routes but one) and the flaky one. */
  kmsCalls: { keys: number; flaky: number };
  /** Calls the flaky kms-local received while a fault was injected. */
  kmsCallsUnderFault: number;
  logLines: number;
  unhandledRejections: number;
  uncaughtExceptions: number;
  wallMs: number;
  /** CPU time of the whole process (client, servers, kms-local) during the run. */
  cpuMs: number;
  heapUsedMb: number;
}

export interface RunOptions {
  readonly cases: number;
  readonly seed: number;
  /** fast-check's replay path of a failure (with its seed). */
  readonly path?: string | undefined;
  /** Shrink a failure to a smaller counterexample. Default: `true`. */
  readonly shrink?: boolean;
  /** Stop generating (or shrinking) after this long, so a slow run still reports before its test times out. Default: none. */
  readonly timeLimitMs?: number;
  /** Called with the report so far every `progressEvery` cases (long runs show how they go). Default: never. */
  readonly onProgress?: (report: AdapterReport) => void;
  readonly progressEvery?: number;
}

/** Requests in flight at once: a batch of cases is sent together over as many keep-alive connections (it keeps both ends of loopback busy). */
export const BATCH = 8;

/**
 * Runs `options.cases` generated requests through one adapter over real HTTP (127.0.0.1,
 * {@link BATCH} keep-alive connections, one batch of cases at a time) and checks every answer;
 * throws fast-check's report (seed, path, shrunk counterexample batch) on the first batch where a
 * case breaks an invariant. `report` is filled in either way.
 */
export async function fuzzAdapter(env: FuzzEnvironment, adapter: AdapterUnderTest, kind: AdapterKind, options: RunOptions, report: AdapterReport): Promise<void> {
  const { world, flaky, capture } = env;
  const app = adapter.app({
    verifier: logging(world.verifier, capture),
    coldVerifier: logging(flaky.verifier, capture),
    isRevoked: (token) => world.revoked.has(String(token.payload.jti)),
    provider: world.provider,
    onError: (error) => capture.recordError(error),
    koaCookie: TOKEN_COOKIE,
  });
  const server = await listen(app);
  const port = Number(new URL(server.url).port);
  const agent = new Agent({ keepAlive: true, maxSockets: BATCH });
  const kmsBefore = { keys: world.kmsLocal.callCount(), flaky: flaky.kms.callCount() };
  const linesBefore = capture.total;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let previousSent: readonly string[] = [];
  let nextProgress = options.progressEvery ?? 100_000;

  const property = fc.asyncProperty(fc.array(caseArbitrary, { minLength: BATCH, maxLength: BATCH }), async (batch: Case[]) => {
    await env.refreshTokens();
    const material = env.material();
    const prepared = batch.map((c) => {
      const rendered = render(c, material);
      return { c, rendered, expected: expectation(rendered, c.route, kind, material) };
    });
    // Faults and stale keys hold for the whole batch: they only change what the flaky route may answer (200, 401 or 503 alike).
    const removeFaults: (() => void)[] = [];
    for (const { c } of prepared) {
      if (c.expireKeys) flaky.expire();
      if (c.fault !== null) removeFaults.push(flaky.kms.faults.inject(faultRule(c.fault)));
    }
    const rejectionsBefore = capture.unhandledRejections;
    const exceptionsBefore = capture.uncaughtExceptions;
    const callsBefore = flaky.kms.callCount();
    let answers: PromiseSettledResult<Answer>[];
    try {
      answers = await Promise.allSettled(prepared.map(({ rendered }) => send(agent, port, rendered)));
    } finally {
      for (const remove of removeFaults) remove();
    }
    if (removeFaults.length > 0) report.kmsCallsUnderFault += flaky.kms.callCount() - callsBefore;
    const sent = prepared.flatMap(({ rendered }) => rendered.sentTokens);
    // A line logged late belongs to this batch or the one before: check it against both batches' tokens.
    const lines = capture.take();
    const secrets = secretsOf(material, [...sent, ...previousSent]);
    previousSent = sent;
    const problems: string[] = [];
    answers.forEach((settled, index) => {
      const { c, rendered, expected } = prepared[index] as (typeof prepared)[number];
      report.cases += 1;
      if (c.fault !== null) report.faulted += 1;
      const found =
        settled.status === 'rejected'
          ? [`no answer: ${errorLine(settled.reason)}`]
          : (report.statuses.set(settled.value.status, (report.statuses.get(settled.value.status) ?? 0) + 1), problemsOf(settled.value, expected, secrets));
      if (found.length > 0) problems.push(`case ${index}: ${redact(found.join('; '), material)} — request: ${describeRequest(rendered, material)}`);
    });
    for (const line of lines) {
      const name = leak(line, secrets);
      if (name !== undefined) problems.push(`a log line contains ${name}`);
    }
    if (options.onProgress !== undefined && report.cases >= nextProgress) {
      nextProgress += options.progressEvery ?? 100_000;
      const cpu = process.cpuUsage(cpuBefore);
      report.wallMs = performance.now() - started;
      report.cpuMs = (cpu.user + cpu.system) / 1000;
      report.heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
      options.onProgress(report);
    }
    if (capture.unhandledRejections !== rejectionsBefore) problems.push('an unhandled rejection');
    if (capture.uncaughtExceptions !== exceptionsBefore) problems.push('an uncaught exception');
    if (problems.length > 0) throw new Error(problems.join('\n'));
  });

  capture.install();
  try {
    await fc.assert(property, {
      numRuns: Math.ceil(options.cases / BATCH),
      seed: options.seed,
      endOnFailure: options.shrink === false,
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: options.timeLimitMs }),
    });
    // The server still answers after all that: the valid token gets its 200.
    const material = env.material();
    const last = await send(agent, port, { path: '/orders', headers: [['Authorization', `Bearer ${material.tokens.current}`]], sentTokens: [] });
    if (last.status !== 200) throw new Error(`after the run the valid token gets ${last.status}, not 200`);
    // Lines logged after the last answer: none may hold a token either.
    await new Promise((resolve) => setImmediate(resolve));
    const secrets = secretsOf(env.material(), previousSent);
    const found = capture
      .take()
      .map((line) => leak(line, secrets))
      .find((name) => name !== undefined);
    if (found !== undefined) throw new Error(`a log line written after the last answer contains ${found}`);
  } finally {
    capture.uninstall();
    const cpu = process.cpuUsage(cpuBefore);
    report.wallMs = performance.now() - started;
    report.cpuMs = (cpu.user + cpu.system) / 1000;
    report.kmsCalls = { keys: world.kmsLocal.callCount() - kmsBefore.keys, flaky: flaky.kms.callCount() - kmsBefore.flaky };
    report.logLines = capture.total - linesBefore;
    report.unhandledRejections = capture.unhandledRejections;
    report.uncaughtExceptions = capture.uncaughtExceptions;
    report.heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
    agent.destroy();
    await server.close();
  }
}

export function emptyReport(adapter: string): AdapterReport {
  return { adapter, cases: 0, statuses: new Map(), faulted: 0, kmsCalls: { keys: 0, flaky: 0 }, kmsCallsUnderFault: 0, logLines: 0, unhandledRejections: 0, uncaughtExceptions: 0, wallMs: 0, cpuMs: 0, heapUsedMb: 0 };
}

/** The printed lines of one adapter's run. */
export function describeReport(report: AdapterReport): string[] {
  const seconds = report.wallMs / 1000;
  const statuses = [...report.statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
  return [
    `${report.adapter}: ${report.cases} cases in ${seconds.toFixed(1)} s wall, ${(report.cpuMs / 1000).toFixed(1)} s CPU (${Math.round(report.cases / Math.max(seconds, 0.001))}/s); heap used ${report.heapUsedMb.toFixed(0)} MB`,
    `  statuses: ${statuses.join(' ')}`,
    `  KMS calls: ${report.kmsCalls.keys} to the keys' kms-local (where the test also re-signs its tokens each minute), ${report.kmsCalls.flaky} to the faulted one, ${report.kmsCallsUnderFault} of them while a fault was injected (by ${report.faulted} cases)`,
    `  log lines checked for tokens: ${report.logLines}; unhandled rejections: ${report.unhandledRejections}; uncaught exceptions: ${report.uncaughtExceptions}`,
  ];
}

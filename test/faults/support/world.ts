/*
 * The keys, tokens, providers and apps a fault drill runs against. Tokens are signed through KMS Sign
 * by kms-jwt-signer before the load starts (so the drill's KMS call counts are the providers' alone);
 * tests use them and never print them.
 */
import { CreateAliasCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { createVerifier, type Verifier, type VerifierOptions } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KeyProviderHooks, type KmsKeyProvider, type KmsKeyProviderOptions } from 'kms-pubkey-provider';
import { ADAPTERS, type AdapterUnderTest } from '../../adapters/support/apps.js';
import { listen, type Running } from '../../adapters/support/http.js';
import { AUDIENCE, createKey, ISSUER } from '../../adapters/support/kms.js';

export const ALIAS = 'alias/faults-issuer';

/** The tokens of one KMS key: valid ones, an expired one, and forgeries made from the valid ones. */
export interface KeyTokens {
  /** A short name for summaries: A, B, C or U. */
  readonly label: string;
  readonly arn: string;
  readonly valid: readonly string[];
  readonly expired: string;
  /** Valid tokens whose payload was replaced (more scope, another subject), signature kept. */
  readonly tamperedPayload: readonly string[];
  /** Valid tokens with one character of the signature changed. */
  readonly tamperedSignature: readonly string[];
}

/**
 * kms-local's keys for a drill: `alias` points to A; B is another trusted key (or the alias's next
 * target); C is trusted but fetched by nobody until a drill asks (a cold key); U is trusted by no
 * verifier.
 */
export interface World {
  /** Creates keys, signs tokens, moves aliases (its calls happen before the drill counts any). */
  readonly admin: KMSClient;
  readonly A: KeyTokens;
  readonly B: KeyTokens;
  readonly C: KeyTokens;
  readonly U: KeyTokens;
  close(): void;
}

const VALID_PER_KEY = 6;

function tamperPayload(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin', scope: 'orders:read orders:write admin' })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const at = Math.floor(signature.length / 2);
  const swapped = signature[at] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`;
}

async function tokensOf(admin: KMSClient, label: string, arn: string): Promise<KeyTokens> {
  const signer = createKmsJwtSigner({ keyId: arn, client: admin, expiresInSeconds: 600, issuer: ISSUER, audience: AUDIENCE });
  const valid: string[] = [];
  for (let index = 0; index < VALID_PER_KEY; index += 1) valid.push(await signer.sign({ sub: `user-${label}-${index}`, scope: 'orders:read' }));
  const now = Math.floor(Date.now() / 1000);
  const expired = await signer.sign({ sub: `user-${label}-expired`, scope: 'orders:read', iat: now - 600, exp: now - 60 });
  return { label, arn, valid, expired, tamperedPayload: valid.map(tamperPayload), tamperedSignature: valid.map(tamperSignature) };
}

/** Creates keys A, B, C, U and the alias (to A) in the KMS `config` points to, and signs their tokens. */
export async function createWorld(config: KMSClientConfig): Promise<World> {
  const admin = new KMSClient(config);
  const [a, b, c, u] = [await createKey(admin), await createKey(admin), await createKey(admin), await createKey(admin)];
  await admin.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: a }));
  return {
    admin,
    A: await tokensOf(admin, 'A', a),
    B: await tokensOf(admin, 'B', b),
    C: await tokensOf(admin, 'C', c),
    U: await tokensOf(admin, 'U', u),
    close: () => admin.destroy(),
  };
}

/** What happened to a provider, from its hooks, with the time (epoch ms) of each event. */
export interface ProviderEvent {
  readonly at: number;
  readonly type: 'fetched' | 'fetch-failed' | 'rotation' | 'untrusted' | 'mismatch';
  /** The key ARN (or alias, for a failed DescribeKey) the event is about. */
  readonly key: string;
  /** `changed` of a fetch, the error name of a failure, the reason a key is untrusted, the new target of a rotation, the source and outcome of a mismatch. */
  readonly detail: string;
}

export class ProviderLog {
  readonly events: ProviderEvent[] = [];

  readonly hooks: Required<KeyProviderHooks> = {
    onKeyFetched: (event) => this.#push('fetched', event.keyArn, event.changed ? 'changed' : 'unchanged'),
    onKeyFetchFailed: (event) => this.#push('fetch-failed', event.key, `${event.operation} ${event.errorName}`),
    onRotation: (event) => this.#push('rotation', event.previousKeyArn, event.keyArn ?? 'deleted'),
    onKeyUntrusted: (event) => this.#push('untrusted', event.keyArn, event.reason),
    onKeyMismatch: (event) => this.#push('mismatch', event.keyArn, `${event.source} ${event.outcome}`),
  };

  #push(type: ProviderEvent['type'], key: string, detail: string): void {
    this.events.push({ at: Date.now(), type, key, detail });
  }

  /** Events of `type` (about `key`, when given) at or after `since`. */
  find(type: ProviderEvent['type'], key?: string, since = 0): ProviderEvent[] {
    return this.events.filter((event) => event.type === type && (key === undefined || event.key === key) && event.at >= since);
  }

  /** Waits (polling) for the first event of `type` about `key` at or after `since`; throws after `timeoutMs`. */
  async waitFor(type: ProviderEvent['type'], key: string | undefined, since: number, timeoutMs: number): Promise<ProviderEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.find(type, key, since)[0];
      if (event !== undefined) return event;
      if (Date.now() > deadline) throw new Error(`no ${type} event${key === undefined ? '' : ` for ${key}`} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

type Interval = 'cacheMaxAgeMs' | 'maxStaleMs' | 'failureCooldownMs' | 'requestTimeoutMs' | 'aliasRefreshMs' | 'retiredKeyGraceMs';

/** The provider settings every drill starts from: short intervals, so a drill takes seconds. */
export const DRILL_PROVIDER_DEFAULTS: Readonly<Record<Interval, number>> = {
  cacheMaxAgeMs: 200,
  maxStaleMs: 60_000,
  failureCooldownMs: 250,
  requestTimeoutMs: 1_000,
  aliasRefreshMs: 300,
  retiredKeyGraceMs: 60_000,
};

export interface DrillProvider {
  readonly provider: KmsKeyProvider;
  readonly verifier: Verifier;
  readonly log: ProviderLog;
  readonly options: KmsKeyProviderOptions & Readonly<Record<Interval, number>>;
}

/**
 * A provider with Node's (real) timers and the drill defaults (or `overrides`), its hooks logged, and
 * a verifier over it (default options, its verified-token cache included, or `verifierOptions`).
 */
export function drillProvider(
  client: KMSClient,
  keys: readonly string[],
  overrides: Partial<KmsKeyProviderOptions> = {},
  verifierOptions: Partial<VerifierOptions> = {},
): DrillProvider {
  const log = new ProviderLog();
  const options = { ...DRILL_PROVIDER_DEFAULTS, client, keys, ...log.hooks, ...overrides };
  const provider = createKmsKeyProvider(options);
  return { provider, verifier: createVerifier({ ...verifierOptions, keys: provider, issuer: ISSUER, audience: AUDIENCE }), log, options };
}

/** The adapter named `name` from the contract suite's list. */
export function adapterNamed(name: string): AdapterUnderTest {
  const adapter = ADAPTERS.find((candidate) => candidate.name === name);
  if (adapter === undefined) throw new Error(`no adapter named ${name}`);
  return adapter;
}

/**
 * The contract suite's app of `adapter` on a free loopback port: `/orders` verifies with `main`,
 * `/cold/orders` with `second` (the drill decides what that one is: a cold key, a short stale window,
 * a two-step rotation).
 */
export function serveApp(adapter: AdapterUnderTest, main: DrillProvider, second: DrillProvider): Promise<Running> {
  return listen(adapter.app({ verifier: main.verifier, coldVerifier: second.verifier, provider: main.provider, isRevoked: () => false }));
}

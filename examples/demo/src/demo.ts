/*
 * The demo: a token issuer signs JWTs through KMS, and three APIs (Express, Koa, Passport) verify
 * them offline against keys they fetched from KMS once. It narrates each step as it happens —
 * valid, wrong scope, tampered, expired, untrusted kid, rotation with its grace window, a disabled
 * key, a KMS outage — checks that each behaved as narrated, and ends with what KMS was asked and
 * what the APIs answered. It runs on an embedded kms-local; with AWS_REGION and
 * KMS_JWT_DEMO_KEY_ID set, on AWS KMS. With REDIS_URL set, it ends with the fleet path: three API
 * processes share a kms-jwt-fleet revocation list on that Redis (fleet-step.ts).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { createExpressApi } from 'kms-jwt-example-express-api';
import { createKoaApi } from 'kms-jwt-example-koa-api';
import { createPassportApi } from 'kms-jwt-example-passport-api';
import { createProducer, createSqsHandler, exportProducerJwks, InMemoryQueue, orderEvent } from 'kms-jwt-example-signed-queue';
import { createSigningKey, createTokenIssuer, DEV_AUDIENCE, DEV_CLIENTS, DEV_ISSUER, listen, requestToken, type TokenAnswer } from 'kms-jwt-example-token-issuer';
import { createKmsJwtSigner } from 'kms-jwt-signer';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createKmsKeyProvider, type KeyFetchFailedEvent, type KeyUntrustedEvent, type RotationEvent } from 'kms-pubkey-provider';
import { Checklist, type DemoStep } from './checklist.js';
import { KmsCallLog } from './kms-calls.js';
import { runFleetStep } from './fleet-step.js';
import { ObservedTimers } from './observed-timers.js';
import { startPartner } from './partner-process.js';
import { table } from './table.js';

/**
 * Short on purpose, so the story takes seconds (production defaults: aliases re-checked every
 * 60 s, keys every 5 min, a retired key trusted for 1 h).
 */
export const DEMO_TIMING = {
  aliasRefreshMs: 1000,
  cacheMaxAgeMs: 1000,
  retiredKeyGraceMs: 3000,
  issuerAliasCacheMaxAgeMs: 500,
  /** How long the issuer's JWKS keeps listing a key the alias left (its provider's retiredKeyGraceMs). */
  publishedRetiredKeyMs: 30_000,
  /** How soon the partner may fetch the JWKS again for a kid it does not list (default 30 s). */
  partnerUnknownKidCooldownMs: 500,
} as const;

const API_NAMES = ['express', 'koa', 'passport'] as const;
type ApiName = (typeof API_NAMES)[number];
const CALLERS = ['demo', 'issuer', ...API_NAMES] as const;

const UNTRUSTED = 'the access token was not signed by a trusted key';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where AWS_REGION, KMS_JWT_DEMO_KEY_ID and REDIS_URL (the fleet path, step 11) are read. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives the narration. Default: standard output. */
  readonly write?: (text: string) => void;
}

/** What {@link runDemo} resolves to. */
export interface DemoResult {
  /** Every step that ran behaved as narrated. */
  readonly passed: boolean;
  readonly steps: readonly DemoStep[];
  readonly mode: 'kms-local' | 'aws';
  /** KMS calls by caller (`demo`, `issuer`, `express`, `koa`, `passport`, and `fleet` with REDIS_URL) and operation. */
  readonly kmsCalls: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** kms-local's own count of every call it received (kms-local only). */
  readonly kmsLocalCallCount: number | undefined;
  /** Requests to each API, by status. */
  readonly requests: Readonly<Record<ApiName, Readonly<Record<number, number>>>>;
  readonly durationMs: number;
}

interface Probe {
  readonly api: ApiName;
  readonly status: number;
  /** The challenge's error_description (or the body's, for a 503). */
  readonly description: string | undefined;
}

interface Observed<E> {
  readonly api: ApiName;
  readonly atMs: number;
  readonly event: E;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** A token by its first characters only. */
const short = (token: string): string => `${token.slice(0, 16)}… (${token.length} chars)`;

function decode(token: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[part] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

const outcome = (probe: Probe): string => (probe.description === undefined ? String(probe.status) : `${probe.status} ${probe.description}`);

/** `all three: 200`, or each API's answer when they differ. */
function verdict(probes: readonly Probe[]): string {
  const outcomes = probes.map(outcome);
  return outcomes.every((text) => text === outcomes[0]) ? `all three: ${outcomes[0] ?? 'no answer'}` : probes.map((probe) => `${probe.api} ${outcome(probe)}`).join('; ');
}

/** Runs the whole story; never throws for a step that misbehaves (it is recorded as failed). */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const env = options.env ?? process.env;
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const heading = (text: string): void => write(`\n▸ ${text}\n`);
  const detail = (text: string): void => write(`  ${text}\n`);
  const startedMs = Date.now();
  const checklist = new Checklist(write);
  const calls = new KmsCallLog();
  const timers = new ObservedTimers();
  const rotations: Observed<RotationEvent>[] = [];
  const untrusted: Observed<KeyUntrustedEvent>[] = [];
  const fetchFailures: Observed<KeyFetchFailedEvent>[] = [];
  const requests = new Map<ApiName, Map<number, number>>(API_NAMES.map((name) => [name, new Map()]));
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const region = env['AWS_REGION'];
  const awsKeyId = env['KMS_JWT_DEMO_KEY_ID'];
  const onAws = region !== undefined && region !== '' && awsKeyId !== undefined && awsKeyId !== '';
  // AWS KMS makes an alias change visible everywhere within seconds, sometimes longer.
  const patienceMs = onAws ? 120_000 : 5000;
  let kms: KmsLocal | undefined;
  let step = 'setup';

  const labels = new Map<string, string>();
  const label = (arn: string): string => labels.get(arn) ?? arn;

  write('kms-jwt demo: KMS signs the tokens, three APIs verify them without calling KMS\n');
  try {
    // ── Setup ────────────────────────────────────────────────────────────────────────────────
    let config: KMSClientConfig;
    if (onAws) {
      heading(`AWS KMS in ${region}`);
      config = { region };
    } else {
      heading('Starting kms-local, a KMS endpoint on loopback');
      const local = await startKmsLocal();
      kms = local;
      cleanups.push(() => local.close());
      config = local.clientConfig;
      detail(`endpoint ${local.endpoint} (region ${local.region}, account ${local.accountId}); the real @aws-sdk/client-kms talks to it`);
    }
    const kmsTotal = (): number => kms?.callCount() ?? calls.count();
    const counterName = kms === undefined ? 'KMS call counter (the SDK clients of the demo)' : "KMS call counter (kms-local's callCount())";
    // One client per component, as separate services would have; each one's calls are counted.
    const admin = calls.client('demo', config);
    cleanups.push(() => admin.destroy());

    const alias = onAws ? `alias/kms-jwt-demo-${randomBytes(4).toString('hex')}` : 'alias/kms-jwt-demo';
    let keyA: string;
    if (onAws) {
      const described = await admin.send(new DescribeKeyCommand({ KeyId: awsKeyId }));
      keyA = described.KeyMetadata?.Arn ?? '';
      if (keyA === '') throw new Error(`DescribeKey answered no ARN for ${awsKeyId}`);
      await admin.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyA }));
      cleanups.push(() => admin.send(new DeleteAliasCommand({ AliasName: alias })));
      detail(`key A ${keyA} (KMS_JWT_DEMO_KEY_ID) behind the new alias ${alias} (deleted at the end)`);
    } else {
      keyA = await createSigningKey(admin, { alias, description: 'kms-jwt demo: key A' });
      detail(`CreateKey ECC_NIST_P256 (ES256), CreateAlias ${alias}`);
      detail(`key A ${keyA}`);
    }
    labels.set(keyA, 'key A');
    /** Keys the demo creates; on AWS they are scheduled for deletion at the end. */
    const newKey = async (name: string): Promise<string> => {
      const arn = await createSigningKey(admin, { description: `kms-jwt demo: ${name}` });
      if (onAws) cleanups.push(() => admin.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 })));
      labels.set(arn, name);
      return arn;
    };

    heading('Starting the token issuer and three APIs on 127.0.0.1');
    const issuerClient = calls.client('issuer', config);
    cleanups.push(() => issuerClient.destroy());
    const issuer = await createTokenIssuer({
      client: issuerClient,
      keyId: alias,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      clients: DEV_CLIENTS,
      aliasCacheMaxAgeMs: DEMO_TIMING.issuerAliasCacheMaxAgeMs,
      // Its JWKS follows the alias as fast as the APIs do, and keeps a retired key listed for a while;
      // its refreshes run on the observed timers too, so the quiet moments the counter needs are quiet for it as well.
      jwks: { aliasRefreshMs: DEMO_TIMING.aliasRefreshMs, cacheMaxAgeMs: DEMO_TIMING.cacheMaxAgeMs, retiredKeyGraceMs: DEMO_TIMING.publishedRetiredKeyMs, timers },
    });
    cleanups.push(() => issuer.close());
    const issuerServer = await issuer.listen();
    detail(`token issuer   ${issuerServer.url}  POST /token signs through KMS Sign with ${alias}; GET /.well-known/jwks.json publishes its keys`);

    // A partner's API with no AWS access at all: it trusts the issuer's published JWKS, for keys of the issuer's account and Region.
    const [, , , keyRegion = '', keyAccount = ''] = keyA.split(':');
    const jwksUrl = `${issuerServer.url}/.well-known/jwks.json`;
    const partner = await startPartner({ jwksUrl, accountId: keyAccount, region: keyRegion, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, unknownKidCooldownMs: DEMO_TIMING.partnerUnknownKidCooldownMs });
    cleanups.push(() => partner.stop());
    detail(
      `partner API    its own process, environment PATH only (${partner.awsVariables.length} AWS_* variables): trusts ${jwksUrl} for keys of account ${keyAccount} in ${keyRegion}; ` +
        `the JWKS lists ${partner.keys.map(label).join(', ')}`,
    );

    const apis: { readonly name: ApiName; readonly url: string }[] = [];
    const fetchedAtStart = new Map<ApiName, number>();
    const factories = { express: createExpressApi, koa: createKoaApi, passport: createPassportApi };
    // Started together, the three APIs refresh in step: the demo can then find moments when none is
    // calling KMS, to show that the requests themselves make no call.
    const started = await Promise.allSettled(
      API_NAMES.map(async (name) => {
        const client = calls.client(name, config);
        cleanups.push(() => client.destroy());
        const api = await factories[name]({
          client,
          keyIds: [alias],
          issuer: DEV_ISSUER,
          audience: DEV_AUDIENCE,
          keyProvider: {
            aliasRefreshMs: DEMO_TIMING.aliasRefreshMs,
            cacheMaxAgeMs: DEMO_TIMING.cacheMaxAgeMs,
            retiredKeyGraceMs: DEMO_TIMING.retiredKeyGraceMs,
            timers,
            onRotation: (event) => void rotations.push({ api: name, atMs: Date.now(), event }),
            onKeyUntrusted: (event) => void untrusted.push({ api: name, atMs: Date.now(), event }),
            onKeyFetchFailed: (event) => void fetchFailures.push({ api: name, atMs: Date.now(), event }),
          },
        });
        fetchedAtStart.set(name, calls.count(name, 'GetPublicKey'));
        cleanups.push(() => api.close());
        return api;
      }),
    );
    for (const [index, outcome] of started.entries()) {
      if (outcome.status === 'rejected') throw outcome.reason;
      const name = API_NAMES[index] as ApiName;
      const server = await listen(outcome.value.handler);
      cleanups.push(() => server.close());
      apis.push({ name, url: server.url });
      detail(`${`${name} API`.padEnd(14)} ${server.url}  GET /orders needs a token with the orders:read scope`);
    }
    detail(`each API trusts ${alias}: DescribeKey resolved it to key A, GetPublicKey fetched key A once`);
    detail(
      `demo timing: aliases re-checked every ${DEMO_TIMING.aliasRefreshMs / 1000} s, keys refreshed every ${DEMO_TIMING.cacheMaxAgeMs / 1000} s, ` +
        `a retired key trusted for ${DEMO_TIMING.retiredKeyGraceMs / 1000} s (defaults: 60 s, 5 min, 1 h)`,
    );
    const fetched = API_NAMES.map((name) => fetchedAtStart.get(name) ?? 0);
    checklist.check(
      'startup',
      'each API fetched the public key once',
      'one GetPublicKey per API',
      fetched.every((count) => count === 1) ? 'one GetPublicKey per API' : `GetPublicKey calls: ${fetched.join(', ')}`,
    );

    // ── Helpers that narrate ─────────────────────────────────────────────────────────────────
    const probe = async (api: { readonly name: ApiName; readonly url: string }, token: string | undefined): Promise<Probe> => {
      const response = await fetch(`${api.url}/orders`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as Record<string, unknown>;
      const challenge = /error_description="([^"]*)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
      const described = typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
      const counts = requests.get(api.name) as Map<number, number>;
      counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
      return { api: api.name, status: response.status, description: challenge ?? described };
    };
    /** GET /orders on every API with `token`, narrated. */
    const askAll = async (token: string | undefined, what: string): Promise<Probe[]> => {
      const probes: Probe[] = [];
      for (const api of apis) {
        const answer = await probe(api, token);
        probes.push(answer);
        detail(`${api.name.padEnd(8)} GET /orders ${what} → ${outcome(answer)}`);
      }
      return probes;
    };
    /**
     * The same, each request sent at a moment when no API is refreshing keys or about to, with the
     * KMS call counter read before and after it: what the request itself cost in KMS calls.
     */
    const askAllCounting = async (token: string, what: string): Promise<{ probes: Probe[]; kmsCalls: number }> => {
      const probes: Probe[] = [];
      let kmsCalls = 0;
      for (const api of apis) {
        await quiet();
        const before = kmsTotal();
        const answer = await probe(api, token);
        const after = kmsTotal();
        kmsCalls += after - before;
        probes.push(answer);
        detail(`${api.name.padEnd(8)} GET /orders ${what} → ${outcome(answer)}   KMS call counter ${before} → ${after}`);
      }
      return { probes, kmsCalls };
    };
    /** A token from POST /token, narrated by its prefix, kid and scope. */
    const issue = async (clientId: string): Promise<string> => {
      const client = DEV_CLIENTS.find((candidate) => candidate.id === clientId) ?? { id: clientId, secret: '' };
      const answer: TokenAnswer = await requestToken(issuerServer.url, client);
      if (answer.accessToken === undefined) throw new Error(`the issuer answered ${answer.status} ${JSON.stringify(answer.body)}`);
      const kid = String(decode(answer.accessToken, 0)['kid']);
      detail(`POST /token as ${clientId} → ${answer.status}: ${short(answer.accessToken)}, kid = ${label(kid)}, scope ${String(answer.body['scope'])}`);
      return answer.accessToken;
    };
    /** A token whose kid is `keyArn`: the issuer signs with the new key once its cached alias resolution expires. */
    const issueWith = async (keyArn: string): Promise<string> => {
      const deadline = Date.now() + patienceMs;
      for (;;) {
        const token = await issue('orders-app');
        if (decode(token, 0)['kid'] === keyArn || Date.now() > deadline) return token;
        await sleep(DEMO_TIMING.issuerAliasCacheMaxAgeMs);
      }
    };
    /** Waits until no API's background refresh is running or due soon, so a call counter measures requests alone. */
    const quiet = (): Promise<void> => timers.quiet(() => calls.inFlight > 0, 400, 10_000);
    const everyApi = <E>(log: readonly Observed<E>[], match: (event: E) => boolean): boolean =>
      API_NAMES.every((name) => log.some((entry) => entry.api === name && match(entry.event)));
    const firstFor = <E>(log: readonly Observed<E>[], name: ApiName, match: (event: E) => boolean): Observed<E> | undefined =>
      log.find((entry) => entry.api === name && match(entry.event));

    // ── 1. Valid ─────────────────────────────────────────────────────────────────────────────
    step = 'valid';
    heading('1. The issuer signs a token through KMS; each API verifies it offline');
    const tokenA = await issue('orders-app');
    const valid = await askAllCounting(tokenA, 'with it');
    detail(`${counterName}: ${valid.kmsCalls === 0 ? 'no call' : `${valid.kmsCalls} calls`} while the APIs verified (the public key is cached; node:crypto checks the signature)`);
    checklist.check(step, 'a token from the issuer is accepted by all three APIs without a KMS call', 'all three: 200; 0 KMS calls', `${verdict(valid.probes)}; ${valid.kmsCalls} KMS calls`);

    // ── 2. Scope ─────────────────────────────────────────────────────────────────────────────
    step = 'scope';
    heading('2. A valid token without the orders:read scope');
    const profileToken = await issue('profile-app');
    const scoped = await askAll(profileToken, 'with it');
    checklist.check(step, 'a valid token without the scope is refused with 403', 'all three: 403 the access token does not grant the scope this resource requires', verdict(scoped));

    // ── 3. Tampered ──────────────────────────────────────────────────────────────────────────
    step = 'tampered';
    heading('3. A tampered token: the payload rewritten to grant more, header and signature kept');
    const [headerPart, , signaturePart] = tokenA.split('.');
    const forgedClaims = { ...decode(tokenA, 1), sub: 'admin', scope: 'orders:read orders:write admin' };
    const tampered = `${headerPart}.${Buffer.from(JSON.stringify(forgedClaims)).toString('base64url')}.${signaturePart}`;
    detail(`payload now says sub admin, scope "${forgedClaims.scope}": ${short(tampered)}`);
    const tamperedProbes = await askAll(tampered, 'with it');
    checklist.check(step, 'a tampered token is refused with the reason', 'all three: 401 the access token signature is invalid', verdict(tamperedProbes));

    // ── 4. Expired ───────────────────────────────────────────────────────────────────────────
    step = 'expired';
    heading('4. An expired token: signed with the same key 10 minutes ago, valid for 5');
    detail('staged with a signer whose clock runs 10 minutes behind, so nobody has to wait');
    const pastSigner = createKmsJwtSigner({ client: admin, keyId: alias, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, expiresInSeconds: 300, nowMs: () => Date.now() - 600_000 });
    const expiredToken = await pastSigner.sign({ sub: 'orders-app', client_id: 'orders-app', scope: 'orders:read' });
    detail(`${short(expiredToken)}, kid = ${label(String(decode(expiredToken, 0)['kid']))}, expired ${Math.round((Date.now() - Number(decode(expiredToken, 1)['exp']) * 1000) / 1000)} s ago`);
    const expiredProbes = await askAll(expiredToken, 'with it');
    checklist.check(step, 'an expired token is refused', 'all three: 401 the access token expired (exp)', verdict(expiredProbes));

    // ── 5. Untrusted kid ─────────────────────────────────────────────────────────────────────
    step = 'untrusted';
    heading('5. A token signed by another valid KMS key, one the APIs were not told to trust');
    const keyB = await newKey('key B');
    detail(`key B ${keyB}: enabled, same account, same issuer and audience claims, but ${alias} names key A`);
    const keyBSigner = createKmsJwtSigner({ client: admin, keyId: keyB, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, expiresInSeconds: 300 });
    const untrustedToken = await keyBSigner.sign({ sub: 'orders-app', client_id: 'orders-app', scope: 'orders:read' });
    detail(`${short(untrustedToken)}, kid = key B`);
    const untrustedProbes = await askAllCounting(untrustedToken, 'with it');
    detail(`${counterName}: ${untrustedProbes.kmsCalls === 0 ? 'no call' : `${untrustedProbes.kmsCalls} calls`}; the kid is outside the trusted set, so the APIs never fetch its key (an attacker cannot make them call KMS)`);
    checklist.check(
      step,
      'a token whose kid is not trusted is refused without a KMS call',
      `all three: 401 ${UNTRUSTED}; 0 KMS calls`,
      `${verdict(untrustedProbes.probes)}; ${untrustedProbes.kmsCalls} KMS calls`,
    );

    // ── 6. Rotation ──────────────────────────────────────────────────────────────────────────
    step = 'rotated';
    heading(`6. Rotation: ${alias} moves to key B (UpdateAlias)`);
    const rotatedMs = Date.now();
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: keyB }));
    await waitFor(() => everyApi(rotations, (event) => event.keyArn === keyB), DEMO_TIMING.aliasRefreshMs + patienceMs, 'every API following the alias to key B');
    for (const name of API_NAMES) {
      const seen = firstFor(rotations, name, (event) => event.keyArn === keyB);
      if (seen !== undefined) {
        detail(`${name.padEnd(8)} saw the move ${seen.atMs - rotatedMs} ms later: trusts key B now, key A for ${((seen.event.graceUntilMs ?? seen.atMs) - seen.atMs) / 1000} s more`);
      }
    }
    await sleep(rotatedMs + DEMO_TIMING.issuerAliasCacheMaxAgeMs - Date.now());
    const tokenB = await issueWith(keyB);
    const kidB = String(decode(tokenB, 0)['kid']);
    const newProbes = await askAll(tokenB, 'with the new token');
    const oldProbes = await askAll(tokenA, 'with the token of step 1');
    checklist.check(
      step,
      "new tokens carry key B's ARN and pass; key A's tokens still pass within the grace window",
      'kid key B; new token: all three: 200; old token: all three: 200',
      `kid ${label(kidB)}; new token: ${verdict(newProbes)}; old token: ${verdict(oldProbes)}`,
    );

    // ── 6b. A partner with no AWS access, through the issuer's JWKS ───────────────────────────────
    step = 'partner-jwks';
    heading("6b. The partner's API, with no AWS access, verifies through the issuer's published JWKS");
    const jwksDeadline = Date.now() + patienceMs;
    let published: string[] = [];
    for (;;) {
      const jwks = (await (await fetch(jwksUrl)).json()) as { keys: { kid?: string }[] };
      published = jwks.keys.map((key) => String(key.kid));
      if (published.includes(keyB) || Date.now() > jwksDeadline) break;
      await sleep(DEMO_TIMING.aliasRefreshMs / 4);
    }
    detail(`GET /.well-known/jwks.json lists ${published.map(label).join(', ')} (key A until its published grace ends)`);
    await quiet();
    const partnerCallsBefore = kmsTotal();
    const partnerB = await partner.verify(tokenB);
    const partnerA = await partner.verify(tokenA);
    const partnerCalls = kmsTotal() - partnerCallsBefore;
    const partnerVerdict = (verdict: Awaited<ReturnType<typeof partner.verify>>): string => (verdict.valid ? `valid, verified by ${label(verdict.key)}` : `refused ${verdict.code}`);
    detail(`partner  key B's token (a kid its JWKS did not list at start: fetched the JWKS again) → ${partnerVerdict(partnerB)}`);
    detail(`partner  key A's token of step 1 → ${partnerVerdict(partnerA)}   ${counterName}: ${partnerCalls === 0 ? 'no call' : `${partnerCalls} calls`}`);
    checklist.check(
      step,
      "a partner with no AWS credentials trusts the issuer's JWKS and survives the rotation",
      'no AWS_* variable; key B: valid; key A: valid; 0 KMS calls',
      `${partner.awsVariables.length === 0 ? 'no AWS_* variable' : `AWS_* variables: ${partner.awsVariables.join(', ')}`}; key B: ${partnerB.valid ? 'valid' : partnerVerdict(partnerB)}; key A: ${partnerA.valid ? 'valid' : partnerVerdict(partnerA)}; ${partnerCalls} KMS calls`,
    );

    // ── 7. End of the grace window ───────────────────────────────────────────────────────────
    step = 'grace-ended';
    heading(`7. The grace window ends: key A is dropped ${DEMO_TIMING.retiredKeyGraceMs / 1000} s after each API saw the move`);
    await waitFor(
      () => everyApi(untrusted, (event) => event.keyArn === keyA && event.reason === 'grace-ended'),
      DEMO_TIMING.retiredKeyGraceMs + patienceMs,
      'every API dropping key A at the end of its grace window',
    );
    detail('every API dropped key A (onKeyUntrusted: grace-ended), and with it the verified tokens it had cached');
    const droppedProbes = await askAll(tokenA, 'with the token of step 1');
    const stillProbes = await askAll(tokenB, "with key B's token");
    checklist.check(step, "after the grace window, key A's tokens are refused; key B's still pass", `key A: all three: 401 ${UNTRUSTED}; key B: all three: 200`, `key A: ${verdict(droppedProbes)}; key B: ${verdict(stillProbes)}`);

    // ── 8. Disabled key ──────────────────────────────────────────────────────────────────────
    step = 'disabled';
    heading('8. Key B is compromised: the alias moves to a new key C, and key B is disabled at once');
    const keyC = await newKey('key C');
    detail(`key C ${keyC}`);
    const movedMs = Date.now();
    await admin.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: keyC }));
    const disabledMs = Date.now();
    await admin.send(new DisableKeyCommand({ KeyId: keyB }));
    detail(`UpdateAlias ${alias} → key C; DisableKey key B`);
    await waitFor(
      () => everyApi(untrusted, (event) => event.keyArn === keyB && event.reason === 'disabled') && everyApi(rotations, (event) => event.keyArn === keyC),
      DEMO_TIMING.cacheMaxAgeMs + DEMO_TIMING.aliasRefreshMs + patienceMs,
      'every API following the alias to key C and dropping the disabled key B',
    );
    let beforeGraceEnd = true;
    for (const name of API_NAMES) {
      const dropped = firstFor(untrusted, name, (event) => event.keyArn === keyB && event.reason === 'disabled');
      const graceUntilMs = firstFor(rotations, name, (event) => event.keyArn === keyC)?.event.graceUntilMs ?? 0;
      if (dropped === undefined) continue;
      beforeGraceEnd &&= dropped.atMs < graceUntilMs;
      detail(`${name.padEnd(8)} found key B disabled at its next refresh, ${dropped.atMs - disabledMs} ms after DisableKey (${graceUntilMs - dropped.atMs} ms before its grace window would have ended)`);
    }
    await sleep(movedMs + DEMO_TIMING.issuerAliasCacheMaxAgeMs - Date.now());
    const tokenC = await issueWith(keyC);
    const disabledProbes = await askAll(tokenB, "with key B's token");
    const keyCProbes = await askAll(tokenC, 'with the new token');
    checklist.check(
      step,
      "a disabled key's tokens are refused after the next refresh, without waiting for the grace window",
      `key B: all three: 401 ${UNTRUSTED}, before its grace window ended; kid key C: all three: 200`,
      `key B: ${verdict(disabledProbes)}, ${beforeGraceEnd ? 'before' : 'after'} its grace window ended; kid ${label(String(decode(tokenC, 0)['kid']))}: ${verdict(keyCProbes)}`,
    );

    // ── 9. KMS outage ────────────────────────────────────────────────────────────────────────
    step = 'outage';
    heading('9. KMS goes down');
    if (kms === undefined) {
      checklist.skip(step, 'verification continues from cache while KMS is down', 'an outage is staged with kms-local fault injection, which AWS KMS does not offer');
    } else {
      const freshToken = await issue('orders-app');
      detail('(issued before the outage, and not yet seen by any API: its signature is checked in full)');
      const outageMs = Date.now();
      const callsAtOutage = kmsTotal();
      const removeFault = kms.faults.inject({ type: 'unavailable' });
      try {
        detail('kms-local answers every call with KMSInternalException (500) from now on');
        // Key C is due for its refresh within a second; once that fails, each API serves it from cache.
        const refreshFailed = (event: KeyFetchFailedEvent): boolean => event.operation === 'GetPublicKey' && event.key === keyC;
        const sinceOutage = (): Observed<KeyFetchFailedEvent>[] => fetchFailures.filter((entry) => entry.atMs >= outageMs);
        await waitFor(() => everyApi(sinceOutage(), refreshFailed), DEMO_TIMING.cacheMaxAgeMs + patienceMs, 'a failed refresh of key C in every API');
        for (const name of API_NAMES) {
          const failure = firstFor(sinceOutage(), name, refreshFailed);
          if (failure !== undefined) {
            const until = failure.event.servingStaleUntilMs === undefined ? '' : `, for up to ${Math.round((failure.event.servingStaleUntilMs - failure.atMs) / 60_000)} min more`;
            detail(`${name.padEnd(8)} GetPublicKey key C failed (${failure.event.errorName}): it keeps serving the cached key${until}`);
          }
        }
        const outageProbes = await askAllCounting(freshToken, 'with it');
        const refused = await requestToken(issuerServer.url, DEV_CLIENTS[0] ?? { id: '', secret: '' });
        detail(`POST /token → ${refused.status} ${String(refused.body['error'])}: the issuer cannot sign without KMS, but the tokens it issued keep working`);
        detail(`KMS calls that failed during the outage: ${kmsTotal() - callsAtOutage} (the APIs' background refreshes and the issuer's attempt)`);
        checklist.check(
          step,
          'verification continues from cache while KMS is down',
          'all three: 200; 0 KMS calls; the issuer: 503 temporarily_unavailable',
          `${verdict(outageProbes.probes)}; ${outageProbes.kmsCalls} KMS calls; the issuer: ${refused.status} ${String(refused.body['error'])}`,
        );
      } finally {
        removeFault();
      }
    }

    // ── 10. A signed message over a queue ────────────────────────────────────────────────────
    step = 'signed-message';
    heading('10. A signed message over the queue example (examples/signed-queue): signed once through KMS, verified with no KMS call');
    const producerJwks = await exportProducerJwks({ client: admin, keyIds: [alias] });
    detail(`deploy time: exportJwks() of ${alias} → a JWKS of ${producerJwks.keys.map((key) => label(String(key.kid))).join(', ')}; the consumer is given this file and no KMS client`);
    const queue = new InMemoryQueue({ name: 'kms-jwt-demo-order-events' });
    const producer = createProducer({ client: admin, keyId: alias, queueUrl: queue.url, sendMessage: queue.sendMessage });
    const queuedMessage = await producer.publish(orderEvent('o-demo', 8 * 1024));
    detail(`producer: KMS Sign → SQS body of ${queuedMessage.signed.payload.length} bytes, signature attribute ${short(queuedMessage.signed.detachedJws)}, kid = ${label(queuedMessage.signed.keyArn)}`);
    await queue.sendMessage({ ...producer.toSendMessageInput(queuedMessage.signed), MessageBody: JSON.stringify(orderEvent('o-demo', 8 * 1024 + 1)) });
    detail('the same signature attribute beside a body changed after signing');
    const processedIds: string[] = [];
    const consumer = createSqsHandler({ keys: createKmsKeyProvider({ offlineKeys: [{ key: producerJwks }] }), process: (message) => void processedIds.push(message.messageId) });
    const sqsEvent = queue.receive();
    await quiet();
    const callsBeforeConsumer = kmsTotal();
    const batch = await consumer(sqsEvent);
    const consumerCalls = kmsTotal() - callsBeforeConsumer;
    const accepted = processedIds.filter((id) => id === queuedMessage.signed.messageId).length;
    detail(`consumer (a Lambda SQS handler): ${sqsEvent.Records.length} records → ${accepted} accepted, batchItemFailures ${batch.batchItemFailures.length} (the changed body)   ${counterName} ${callsBeforeConsumer} → ${callsBeforeConsumer + consumerCalls}`);
    checklist.check(
      step,
      'a signed message over a queue is verified with no KMS call; a changed body is refused',
      '1 accepted; 1 batch item failure; 0 KMS calls',
      `${accepted} accepted; ${batch.batchItemFailures.length} batch item failure${batch.batchItemFailures.length === 1 ? '' : 's'}; ${consumerCalls} KMS calls`,
    );

    // ── 11. A fleet on Redis (only with REDIS_URL) ───────────────────────────────────────────
    const redisUrl = env['REDIS_URL'];
    if (redisUrl !== undefined && redisUrl !== '') {
      step = 'fleet';
      await runFleetStep({ redisUrl, kms: config, keyIds: [alias], issuer: DEV_ISSUER, audience: DEV_AUDIENCE, issue, short, heading, detail, checklist, calls, cleanups, patienceMs });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    checklist.fail(step, message);
  } finally {
    const failures: string[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) write(`\ncleanup failed: ${failures.join('; ')}\n`);
  }

  // ── Summary ──────────────────────────────────────────────────────────────────────────────
  const durationMs = Date.now() - startedMs;
  heading('Summary');
  const width = Math.max(...checklist.steps.map((entry) => entry.title.length));
  for (const entry of checklist.steps) {
    const mark = entry.passed === undefined ? '–' : entry.passed ? '✔' : '✘';
    detail(entry.passed === true ? `${mark} ${entry.title}` : `${mark} ${entry.title.padEnd(width)}  ${entry.actual}`);
  }

  const operations = calls.operations().sort();
  write('\n');
  detail('KMS calls, by operation and caller:');
  // The fleet path's processes (REDIS_URL) get a column of their own.
  const callers = calls.callers().includes('fleet') ? [...CALLERS, 'fleet'] : CALLERS;
  for (const line of table(
    ['operation', ...callers, 'total'],
    [
      ...operations.map((operation) => [operation, ...callers.map((caller) => calls.count(caller, operation)), calls.count(undefined, operation)]),
      ['total', ...callers.map((caller) => calls.count(caller)), calls.count()],
    ],
  )) {
    detail(`  ${line}`);
  }
  if (kms !== undefined) detail(`kms-local received ${kms.callCount()} calls in all.`);
  detail('The APIs call KMS only to refresh keys in the background, never per request: with the demo timing, a few calls a second each;');
  detail('with the defaults, one DescribeKey a minute per alias and one GetPublicKey every 5 minutes per key.');
  write('\n');
  detail('Requests verified by each API, by status:');
  const statuses = [...new Set([...requests.values()].flatMap((counts) => [...counts.keys()]))].sort((a, b) => a - b);
  const requestRows = API_NAMES.map((name) => {
    const counts = requests.get(name) as Map<number, number>;
    return [name, ...statuses.map((status) => counts.get(status) ?? 0), [...counts.values()].reduce((sum, count) => sum + count, 0)];
  });
  for (const line of table(['API', ...statuses.map(String), 'total'], requestRows)) detail(`  ${line}`);

  const passed = checklist.passed;
  write(`\n${passed ? 'Every step behaved as narrated' : 'Some steps did not behave as narrated'} (${(durationMs / 1000).toFixed(1)} s). Everything started was stopped.\n`);

  const kmsCalls: Record<string, Record<string, number>> = {};
  for (const caller of calls.callers()) kmsCalls[caller] = Object.fromEntries(operations.map((operation) => [operation, calls.count(caller, operation)]));
  return {
    passed,
    steps: checklist.steps,
    mode: onAws ? 'aws' : 'kms-local',
    kmsCalls,
    kmsLocalCallCount: kms?.callCount(),
    requests: Object.fromEntries(API_NAMES.map((name) => [name, Object.fromEntries(requests.get(name) ?? [])])) as Record<ApiName, Record<number, number>>,
    durationMs,
  };
}

async function main(): Promise<void> {
  const result = await runDemo();
  process.exitCode = result.passed ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

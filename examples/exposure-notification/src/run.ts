/*
 * The scenario, narrated step by step: kms-local stands in for AWS KMS; a lab's exposure
 * verification server (EVS) signs diagnosis certificates through KMS Sign; an exposure
 * notification server (ENS), a separate process with no KMS access, trusts the EVS through its
 * public key imported offline, and accepts or rejects uploads of TEK batches.
 *
 *   node dist/run.js [--trust-format pem|jwks]
 *
 * Exits 0 when every case behaved as expected, 1 otherwise. Prints certificates, codes and keys
 * only as short prefixes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { createDevice, randomTek, uploadBody, type Device } from './device.js';
import { dateOfIntervalNumber, daysBefore, type ReportType } from './diagnosis.js';
import { spawnEns, type EnsProcess } from './ens-process.js';
import { startEvs } from './evs.js';

/** The `iss` of the health authority's EVS. */
export const ISSUER = 'https://evs.health-authority.example';
/** The `aud` the ENS expects: its own name. */
export const AUDIENCE = 'exposure-notification-server';

/** How the EVS public key travels to the ENS: a PEM bound to the key ARN given apart, or a JWKS naming it. */
export type TrustFormat = 'pem' | 'jwks';

/** The steps whose outcome the scenario checks. */
export type StepId =
  | 'ens-trust'
  | 'valid-upload'
  | 'replayed-upload'
  | 'tampered-batch'
  | 'unknown-lab'
  | 'expired-certificate'
  | 'tampered-certificate'
  | 'published-keys'
  | 'ens-kms-calls';

/** What one step expected and what happened. */
export interface ScenarioStep {
  readonly id: StepId;
  readonly title: string;
  readonly expected: string;
  readonly actual: string;
  readonly passed: boolean;
}

/** Options of {@link runScenario}. */
export interface ScenarioOptions {
  /** Default: `'pem'`. */
  readonly trustFormat?: TrustFormat;
  /** Where the narration goes. Default: standard output. */
  readonly write?: (text: string) => void;
}

/** The outcome: `passed` when every step behaved as expected. */
export interface ScenarioResult {
  readonly passed: boolean;
  readonly steps: readonly ScenarioStep[];
  /** The ENS child's pid (stopped by the time this resolves). */
  readonly ensPid: number | undefined;
}

interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

async function requestJson(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text);
  return { status: response.status, body, headers: response.headers };
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const name of path) current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[name] : undefined;
  return current;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is missing from the answer`);
  return value;
}

/** A secret or long value shown by its first characters only. */
function prefix(value: string, length = 12): string {
  return value.length <= length ? value : `${value.slice(0, length)}…`;
}

function decodeSegment(segment: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The token with its payload replaced and its header and signature kept. */
function withPayload(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

async function createSigningKey(client: KMSClient, alias: string, description: string): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: description }));
  if (KeyMetadata?.Arn === undefined) throw new Error('CreateKey returned no key ARN');
  await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata.Arn }));
  return KeyMetadata.Arn;
}

/** Runs the whole scenario and stops everything it started, whatever happens. */
export async function runScenario(options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const trustFormat = options.trustFormat ?? 'pem';
  const write = options.write ?? ((chunk: string) => void process.stdout.write(chunk));
  const heading = (title: string): void => write(`\n▸ ${title}\n`);
  const detail = (line: string): void => write(`  ${line}\n`);
  const steps: ScenarioStep[] = [];
  const check = (id: StepId, title: string, expected: string, actual: string): void => {
    const passed = expected === actual;
    steps.push({ id, title, expected, actual, passed });
    detail(passed ? `✔ ${actual}, as expected` : `✘ expected ${expected}, got ${actual}`);
  };
  const cleanups: Array<() => Promise<void> | void> = [];
  let ensPid: number | undefined;

  write('Exposure notification: a lab signs diagnosis certificates through KMS; the key server verifies them offline.\n');
  try {
    heading('Starting kms-local (a KMS endpoint on loopback) and creating the EVS signing key');
    const kms: KmsLocal = await startKmsLocal();
    cleanups.push(() => kms.close());
    const client = new KMSClient(kms.clientConfig);
    cleanups.push(() => client.destroy());
    const evsAlias = 'alias/evs-diagnosis-certificates';
    const evsKeyArn = await createSigningKey(client, evsAlias, 'health authority EVS: diagnosis certificates');
    detail(`kms-local at ${kms.endpoint}`);
    detail(`EVS key ${evsKeyArn} (ECC_NIST_P256, ${evsAlias})`);

    heading('Starting the exposure verification server (EVS) of the health authority');
    const evs = await startEvs({ client, keyId: evsAlias, issuer: ISSUER, audience: AUDIENCE });
    cleanups.push(() => evs.close());
    detail(`EVS at ${evs.url}: signs with kms-jwt-signer (KMS Sign), kid = ${evs.keyArn}`);
    detail(`certificates live 15 minutes; iss ${ISSUER}, aud ${AUDIENCE}`);

    heading(`Exporting the EVS public key for offline import (${trustFormat === 'pem' ? 'PEM + key ARN' : 'JWKS'})`);
    const directory = await mkdtemp(join(tmpdir(), 'kms-jwt-en-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    let trustFile: string;
    if (trustFormat === 'pem') {
      const answer = await requestJson(`${evs.url}/v1/public-key.pem`);
      const pem = text(answer.body, 'the PEM');
      const boundKid = answer.headers.get('x-kms-key-arn') ?? '';
      if (boundKid !== evs.keyArn) throw new Error('the EVS published its PEM under another key ARN than it signs with');
      trustFile = join(directory, 'evs-public-key.pem');
      await writeFile(trustFile, pem);
      detail(`GET ${evs.url}/v1/public-key.pem → ${trustFile} (${pem.length} bytes of SPKI PEM)`);
      detail(`the operator binds it to the EVS key ARN: --kid ${boundKid}`);
    } else {
      const answer = await requestJson(`${evs.url}/.well-known/jwks.json`);
      const keys = field(answer.body, 'keys');
      if (!Array.isArray(keys)) throw new Error('the EVS JWKS has no keys');
      trustFile = join(directory, 'evs-jwks.json');
      await writeFile(trustFile, JSON.stringify(answer.body, null, 2));
      detail(`GET ${evs.url}/.well-known/jwks.json → ${trustFile} (${keys.length} key, kid = the EVS key ARN)`);
    }

    heading('Starting the exposure notification server (ENS) as a separate process');
    const ens: EnsProcess = await spawnEns({ trustFile, ...(trustFormat === 'pem' ? { kid: evs.keyArn } : {}), issuer: ISSUER, audience: AUDIENCE });
    ensPid = ens.pid;
    cleanups.push(() => ens.stop());
    detail(`ENS pid ${ens.pid} at ${ens.url}: node dist/ens.js --trust ${trustFile.split('/').pop() ?? trustFile}${trustFormat === 'pem' ? ' --kid <EVS key ARN>' : ''}`);
    detail(`its environment: ${ens.environment.join(', ')} — no AWS credentials, region or KMS endpoint, no KMS client`);
    check('ens-trust', 'the ENS trusts exactly the EVS key', evs.keyArn, ens.trustedKids.join(', '));

    let kmsCallsDuringUploads = 0;
    let uploads = 0;
    const certify = async (evsUrl: string, device: Device, reportType: ReportType): Promise<string> => {
      const issued = await requestJson(`${evsUrl}/v1/codes`, { body: { reportType, testDate: daysBefore(Date.now(), 1), symptomOnsetDate: daysBefore(Date.now(), 3) } });
      if (issued.status !== 201) throw new Error(`the EVS refused to issue a code: ${issued.status} ${JSON.stringify(issued.body)}`);
      const code = text(field(issued.body, 'code'), 'the verification code');
      const answer = await requestJson(`${evsUrl}/v1/certificates`, { body: { code, tekmac: device.tekmac } });
      if (answer.status !== 200) throw new Error(`the EVS refused the certificate: ${answer.status} ${JSON.stringify(answer.body)}`);
      const certificate = text(field(answer.body, 'certificate'), 'the certificate');
      detail(`lab: ${reportType} test → one-time code ${code.slice(0, 2)}••••••; device: code + tekmac ${prefix(device.tekmac)} → certificate ${prefix(certificate, 16)} (${certificate.length} chars)`);
      return certificate;
    };
    const upload = async (id: StepId, title: string, body: Record<string, unknown>, expected: string): Promise<void> => {
      const before = kms.callCount();
      const answer = await requestJson(`${ens.url}/v1/publish`, { body, headers: { 'X-Request-Id': id } });
      kmsCallsDuringUploads += kms.callCount() - before;
      uploads += 1;
      const logged = await ens.uploadEvent(id);
      const code = field(answer.body, 'status') === 'accepted' ? 'ACCEPTED' : String(field(answer.body, 'error', 'code'));
      detail(`ENS (pid ${ens.pid}) answered ${answer.status} ${code}: ${logged.message}`);
      check(id, title, expected, `${answer.status} ${code}`);
    };

    heading('1. A diagnosed patient uploads their keys with a certificate from the EVS');
    const patient = createDevice(Date.now());
    detail(`device: ${patient.keys.length} TEKs (one per day); a fresh 32-byte HMAC key for this upload; tekmac = HMAC-SHA256(keys) = ${prefix(patient.tekmac)}`);
    const certificate = await certify(evs.url, patient, 'confirmed');
    const header = decodeSegment(certificate.split('.')[0]);
    const claims = decodeSegment(certificate.split('.')[1]);
    detail(`header: alg ${String(header['alg'])}, kid ${String(header['kid'])}`);
    detail(`claims: ${Object.keys(claims).join(', ')} — no sub, name, phone number, birth date or device id`);
    detail(
      `  reportType ${String(claims['reportType'])}, test date ${dateOfIntervalNumber(Number(claims['testDateInterval']))}, ` +
        `symptom onset ${dateOfIntervalNumber(Number(claims['symptomOnsetInterval']))}, expires in ${Number(claims['exp']) - Number(claims['iat'])} s`,
    );
    const validUpload = uploadBody(patient.keys, patient.hmacKey, certificate);
    await upload('valid-upload', 'a batch covered by a certificate from the trusted EVS', validUpload, '200 ACCEPTED');

    heading('2. The same upload again (a replayed certificate)');
    await upload('replayed-upload', 'a certificate used a second time', validUpload, '409 CERTIFICATE_ALREADY_USED');

    heading('3. A tampered TEK batch: a key that is not the device\'s added to a certified batch');
    const second = createDevice(Date.now());
    const secondCertificate = await certify(evs.url, second, 'confirmed');
    const foreignDayMs = (second.keys[second.keys.length - 1]?.rollingStartNumber ?? 0) * 600_000 - 86_400_000;
    await upload('tampered-batch', 'a batch the certificate does not cover', uploadBody([...second.keys, randomTek(foreignDayMs, 6)], second.hmacKey, secondCertificate), '403 TEK_MAC_MISMATCH');

    heading('4. A certificate from an unknown lab: same issuer name, but its own KMS key');
    const rogueArn = await createSigningKey(client, 'alias/unaccredited-lab', 'a lab the ENS was never told about');
    const rogue = await startEvs({ client, keyId: 'alias/unaccredited-lab', issuer: ISSUER, audience: AUDIENCE });
    cleanups.push(() => rogue.close());
    detail(`unaccredited lab's EVS at ${rogue.url}, kid ${rogueArn}`);
    const third = createDevice(Date.now());
    const rogueCertificate = await certify(rogue.url, third, 'confirmed');
    await upload('unknown-lab', 'a certificate whose kid the ENS was not given', uploadBody(third.keys, third.hmacKey, rogueCertificate), '401 ERR_KID_UNTRUSTED');

    heading('5. An expired certificate: obtained an hour ago, uploaded only now');
    detail('to stage it without waiting, an EVS instance with its clock one hour back signs with the same KMS key');
    const pastEvs = await startEvs({ client, keyId: evsAlias, issuer: ISSUER, audience: AUDIENCE, nowMs: () => Date.now() - 3_600_000 });
    cleanups.push(() => pastEvs.close());
    const fourth = createDevice(Date.now());
    const oldCertificate = await certify(pastEvs.url, fourth, 'likely');
    await upload('expired-certificate', 'a certificate past its exp', uploadBody(fourth.keys, fourth.hmacKey, oldCertificate), '401 ERR_JWT_EXPIRED');

    heading('6. A tampered certificate: its tekmac swapped for the MAC of another batch');
    const fifth = createDevice(Date.now());
    const genuine = await certify(evs.url, fifth, 'likely');
    const forgedBatch = createDevice(Date.now());
    const forged = withPayload(genuine, { ...decodeSegment(genuine.split('.')[1]), tekmac: forgedBatch.tekmac });
    detail(`payload rewritten (tekmac ${prefix(fifth.tekmac)} → ${prefix(forgedBatch.tekmac)}), header and signature kept`);
    await upload('tampered-certificate', 'a certificate whose payload was changed after signing', uploadBody(forgedBatch.keys, forgedBatch.hmacKey, forged), '401 ERR_JWS_SIGNATURE_INVALID');

    heading('What the ENS published, and what it asked KMS');
    const published = field((await requestJson(`${ens.url}/v1/diagnosis-keys`)).body, 'keys');
    const publishedKeys = Array.isArray(published) ? published.map((entry) => String(field(entry, 'key'))) : [];
    const onlyFirst = publishedKeys.length === patient.keys.length && patient.keys.every((key) => publishedKeys.includes(key.key));
    check('published-keys', 'the ENS published the accepted batch and nothing else', `${patient.keys.length} keys, all from upload 1`, `${publishedKeys.length} keys${onlyFirst ? ', all from upload 1' : ', not exactly upload 1'}`);
    check('ens-kms-calls', 'KMS calls while the ENS verified', `0 KMS calls during ${uploads} uploads`, `${kmsCallsDuringUploads} KMS calls during ${uploads} uploads`);
    detail(
      `KMS calls in all, by the EVS instances: ${kms.callCount()} (CreateKey ${kms.callCount('CreateKey')}, CreateAlias ${kms.callCount('CreateAlias')}, DescribeKey ${kms.callCount('DescribeKey')}, ` +
        `GetPublicKey ${kms.callCount('GetPublicKey')}, Sign ${kms.callCount('Sign')})`,
    );
  } finally {
    const failures: string[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.length > 0) write(`\ncleanup failed: ${failures.join('; ')}\n`);
  }

  const passed = steps.length > 0 && steps.every((step) => step.passed);
  heading('Summary');
  const width = Math.max(...steps.map((step) => step.title.length));
  for (const step of steps) detail(`${step.passed ? '✔' : '✘'} ${step.title.padEnd(width)}  ${step.actual}`);
  write(`\n${passed ? 'Every step behaved as expected.' : 'Some steps did not behave as expected.'} Everything started was stopped.\n`);
  return { passed, steps, ensPid };
}

async function main(): Promise<void> {
  // `pnpm start -- --trust-format jwks` passes the `--` along.
  const args = process.argv.slice(2);
  const { values } = parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options: { 'trust-format': { type: 'string' } } });
  const format = values['trust-format'] ?? 'pem';
  if (format !== 'pem' && format !== 'jwks') throw new Error('--trust-format must be pem or jwks');
  const result = await runScenario({ trustFormat: format });
  process.exitCode = result.passed ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`\nThe scenario failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

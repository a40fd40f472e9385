/*
 * The exposure verification server (EVS) of a health authority's lab: it hands out one-time
 * verification codes for diagnosed test results, exchanges a code and the device's TEK MAC for a
 * diagnosis certificate signed by a KMS key (kms-jwt-signer), and publishes that key's public half
 * (kms-pubkey-provider's JWKS export, and the same key as PEM) for exposure notification servers to
 * import offline.
 */
import { createPublicKey, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { KMSClient } from '@aws-sdk/client-kms';
import { createKmsJwtSigner, KmsJwtSignerError } from 'kms-jwt-signer';
import { createJwksResponder } from 'kms-jwt-verifier/http';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { intervalNumberOfDay, parseDate, REPORT_TYPES, type DiagnosisClaims, type ReportType } from './diagnosis.js';
import { closeServer, HttpRequestError, listen, readJsonObject, sendJson, urlOf } from './http.js';
import { decodeBase64, TEK_MAC_BYTES } from './tek.js';

/** Options of {@link startEvs}. */
export interface EvsOptions {
  /** The KMS client (one per region, shared). Required. */
  readonly client: KMSClient;
  /** The signing key: key ARN, key id, alias name or alias ARN. Certificates carry the key ARN as `kid`. Required. */
  readonly keyId: string;
  /** The `iss` of every certificate. Required. */
  readonly issuer: string;
  /** The `aud` of every certificate: the exposure notification server's name. Required. */
  readonly audience: string;
  /** Lifetime of a certificate, in seconds. Default: `900` (15 minutes). */
  readonly certificateLifetimeSeconds?: number;
  /** Lifetime of a verification code, in seconds. Default: `3600`. */
  readonly codeLifetimeSeconds?: number;
  /** Address to listen on. Default: `127.0.0.1`. */
  readonly host?: string;
  /** TCP port. Default: `0`, a free port. */
  readonly port?: number;
  /** Clock, in epoch milliseconds, for codes and for the certificates' `iat` and `exp`. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

/** A running EVS. */
export interface Evs {
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** The ARN of the key that signs every certificate: their `kid`. */
  readonly keyArn: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** A diagnosis waiting for its device, under a verification code. */
interface PendingDiagnosis {
  readonly claims: Omit<DiagnosisClaims, 'tekmac'>;
  readonly expiresAtMs: number;
}

const MAX_BODY_BYTES = 4096;
const CODE = /^\d{8}$/;

/** The diagnosis of a lab's request for a code; throws an HttpRequestError naming the wrong field. */
function diagnosisOf(body: Record<string, unknown>, todayMs: number): Omit<DiagnosisClaims, 'tekmac'> {
  const invalid = (message: string): never => {
    throw new HttpRequestError(400, 'REQUEST_INVALID', message);
  };
  const { reportType, testDate, symptomOnsetDate } = body;
  if (!(REPORT_TYPES as readonly unknown[]).includes(reportType)) invalid(`reportType must be one of ${REPORT_TYPES.join(', ')}`);
  const testDayMs = parseDate(testDate) ?? invalid('testDate must be a date like 2024-05-01');
  if (testDayMs > todayMs) invalid('testDate cannot be in the future');
  const claims = { reportType: reportType as ReportType, testDateInterval: intervalNumberOfDay(testDayMs) };
  if (symptomOnsetDate === undefined) return claims;
  const onsetDayMs = parseDate(symptomOnsetDate) ?? invalid('symptomOnsetDate must be a date like 2024-05-01');
  if (onsetDayMs > todayMs) invalid('symptomOnsetDate cannot be in the future');
  return { ...claims, symptomOnsetInterval: intervalNumberOfDay(onsetDayMs) };
}

/** Starts an EVS on loopback; resolves once its key is resolved and its public key fetched. */
export async function startEvs(options: EvsOptions): Promise<Evs> {
  const nowMs = options.nowMs ?? Date.now;
  const certificateLifetimeSeconds = options.certificateLifetimeSeconds ?? 900;
  const codeLifetimeMs = (options.codeLifetimeSeconds ?? 3600) * 1000;
  const host = options.host ?? '127.0.0.1';

  const signer = createKmsJwtSigner({
    client: options.client,
    keyId: options.keyId,
    issuer: options.issuer,
    audience: options.audience,
    expiresInSeconds: certificateLifetimeSeconds,
    nowMs,
  });
  // The exact key that signs (not an alias) is the key published: the kid of every certificate.
  const { keyArn } = await signer.hydrate();
  const provider = createKmsKeyProvider({ client: options.client, keys: [keyArn], nowMs });
  await provider.ready();
  const jwks = createJwksResponder(provider, { cacheMaxAgeSeconds: 300 }, 'kms-jwt-example-exposure-notification');

  const pending = new Map<string, PendingDiagnosis>();

  function newCode(): string {
    for (;;) {
      const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
      if (!pending.has(code)) return code;
    }
  }

  function dropExpiredCodes(now: number): void {
    for (const [code, entry] of pending) if (entry.expiresAtMs <= now) pending.delete(code);
  }

  /** The lab (or an epidemiologist) records a diagnosis and gets a code to give the patient. */
  async function issueCode(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJsonObject(request, MAX_BODY_BYTES);
    const now = nowMs();
    const claims = diagnosisOf(body, now);
    dropExpiredCodes(now);
    const code = newCode();
    const expiresAtMs = now + codeLifetimeMs;
    pending.set(code, { claims, expiresAtMs });
    sendJson(response, 201, { code, expiresAt: new Date(expiresAtMs).toISOString() });
  }

  /** The patient's device trades the code and its TEK MAC for a signed certificate. */
  async function issueCertificate(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { code, tekmac } = await readJsonObject(request, MAX_BODY_BYTES);
    if (typeof code !== 'string' || !CODE.test(code)) throw new HttpRequestError(400, 'REQUEST_INVALID', 'code must be the 8-digit verification code');
    if (typeof tekmac !== 'string' || decodeBase64(tekmac, TEK_MAC_BYTES) === undefined) {
      throw new HttpRequestError(400, 'REQUEST_INVALID', `tekmac must be a ${TEK_MAC_BYTES}-byte HMAC-SHA256 in standard base64`);
    }
    const entry = pending.get(code);
    // One answer for unknown, used and expired codes: nothing to learn by guessing.
    if (entry === undefined || entry.expiresAtMs <= nowMs()) {
      sendJson(response, 400, { error: { code: 'CODE_INVALID', message: 'the verification code is unknown, already used or expired' } });
      return;
    }
    pending.delete(code); // one use only, even with two requests racing
    try {
      const certificate = await signer.sign({ ...entry.claims, tekmac });
      sendJson(response, 200, { certificate });
    } catch (error) {
      if (!(error instanceof KmsJwtSignerError)) throw error;
      pending.set(code, entry); // the patient may try again with the same code
      sendJson(response, error.retryable ? 503 : 500, { error: { code: 'SIGNING_FAILED', message: `the certificate could not be signed (${error.code})` } });
    }
  }

  function publicKeyPem(): string {
    const jwk = provider.exportJwks().keys.find((key) => key.kid === keyArn);
    if (jwk === undefined) throw new Error(`the public key of ${keyArn} is not at hand`);
    return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://evs').pathname;
    const method = request.method ?? 'GET';
    const routes = new Map<string, readonly [method: string, handle: () => Promise<void> | void]>([
      ['/v1/codes', ['POST', () => issueCode(request, response)]],
      ['/v1/certificates', ['POST', () => issueCertificate(request, response)]],
      [
        '/.well-known/jwks.json',
        [
          'GET',
          () => {
            const answer = jwks(request.headers['if-none-match']);
            response.writeHead(answer.status, answer.headers);
            response.end(answer.body);
          },
        ],
      ],
      [
        '/v1/public-key.pem',
        [
          'GET',
          () => {
            const pem = publicKeyPem();
            response.writeHead(200, { 'Content-Type': 'application/x-pem-file', 'Cache-Control': 'public, max-age=300', 'X-Kms-Key-Arn': keyArn });
            response.end(pem);
          },
        ],
      ],
    ]);
    const found = routes.get(path);
    if (found === undefined) throw new HttpRequestError(404, 'NOT_FOUND', `no route ${path}`);
    if (found[0] !== method) throw new HttpRequestError(405, 'METHOD_NOT_ALLOWED', `${path} answers ${found[0]} only`);
    await found[1]();
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof HttpRequestError) return sendJson(response, error.status, { error: { code: error.code, message: error.message } });
      sendJson(response, 500, { error: { code: 'INTERNAL_ERROR', message: 'the EVS failed to answer' } });
    });
  });
  server.keepAliveTimeout = 5_000;
  let port: number;
  try {
    port = await listen(server, host, options.port ?? 0);
  } catch (error) {
    provider.close();
    throw error;
  }
  return {
    url: urlOf(host, port),
    keyArn,
    close: async () => {
      provider.close();
      await closeServer(server);
    },
  };
}

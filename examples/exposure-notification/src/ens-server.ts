/*
 * The exposure notification server (ENS): it takes uploads of a device's TEK batch with a diagnosis
 * certificate, and publishes the keys only when the certificate was signed by a trusted EVS key,
 * is meant for this ENS and still valid, covers exactly this batch, and was not used before. It
 * has no KMS client and no credentials: trust is the EVS public key imported offline, bound to the
 * EVS key ARN that certificates carry as their kid.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createVerifier, KmsJwtError, type JwtPayload } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type OfflineKey } from 'kms-pubkey-provider';
import { diagnosisClaimsOf, type ReportType } from './diagnosis.js';
import { closeServer, HttpRequestError, listen, readJsonObject, sendJson, urlOf } from './http.js';
import { decodeBase64, MIN_HMAC_KEY_BYTES, parseTekBatch, tekMacMatches, type TemporaryExposureKey } from './tek.js';

/** Options of {@link startEns}. */
export interface EnsOptions {
  /**
   * The EVS public keys trusted, given offline: `{ kid: <EVS key ARN>, file: 'evs.pem' }` or
   * `{ file: 'evs-jwks.json' }` (a JWKS names its keys). Required, at least one.
   */
  readonly trustedKeys: readonly OfflineKey[];
  /** Accepted `iss` value(s): the EVS issuers. Required. */
  readonly issuer: string | readonly string[];
  /** This ENS's name; certificates must name it in `aud`. Required. */
  readonly audience: string;
  /** Clock skew tolerated for `exp`, `nbf` and `iat`, in seconds. Default: `30`. */
  readonly clockToleranceSeconds?: number;
  /** Largest upload body, in bytes. Default: `65536`. */
  readonly maxBodyBytes?: number;
  /** Address to listen on. Default: `127.0.0.1`. */
  readonly host?: string;
  /** TCP port. Default: `0`, a free port. */
  readonly port?: number;
  /** Clock, in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
  /** Receives one event per upload decision (no key, MAC or certificate in it). Default: none. */
  readonly onUpload?: (event: UploadEvent) => void;
}

/** An upload decision. */
export interface UploadEvent {
  /** The request's `X-Request-Id`, if it had one. */
  readonly requestId: string | undefined;
  readonly status: number;
  /** `ACCEPTED` or the reason code of the rejection. */
  readonly code: string;
  readonly message: string;
  /** The certificate's kid (the signing EVS key ARN) when the token could be read that far. */
  readonly kid?: string;
  /** Keys published by this upload. */
  readonly insertedKeys: number;
}

/** A published diagnosis key, as devices download it: key data and the certificate's report type, nothing else. */
export interface DiagnosisKey extends TemporaryExposureKey {
  readonly reportType: ReportType;
  /** Days from symptom onset to the key's day, when the certificate carried an onset date. */
  readonly daysSinceOnsetOfSymptoms?: number;
}

/** A running ENS. */
export interface Ens {
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** The kids (EVS key ARNs) whose certificates are accepted. */
  readonly trustedKids: readonly string[];
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** An upload refused: answered with `status`, `code` and `message`. */
class UploadRejected extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly kid?: string,
  ) {
    super(message);
  }
}

/** The kid of a compact JWS's header, if it can be read; only for logs, never trusted. */
function kidOf(token: string): string | undefined {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' && kid.length <= 256 ? kid : undefined;
  } catch {
    return undefined;
  }
}

/** The certificate's `jti`, which the ENS remembers until `exp` to accept each certificate once. */
function certificateIdOf(payload: JwtPayload): string {
  const { jti } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 128) throw new Error('jti must be a string of 1 to 128 characters');
  return jti;
}

/** Starts an ENS on loopback. Configuration mistakes (an unreadable key file, a PEM without kid) throw here. */
export async function startEns(options: EnsOptions): Promise<Ens> {
  const nowMs = options.nowMs ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const host = options.host ?? '127.0.0.1';
  if (!Array.isArray(options.trustedKeys) || options.trustedKeys.length === 0) throw new TypeError('ENS: trustedKeys must list at least one EVS public key');

  // Offline keys only: the provider never creates a KMS client.
  const keys = createKmsKeyProvider({ offlineKeys: options.trustedKeys, nowMs });
  const trustedKids = keys.exportJwks().keys.flatMap((jwk) => (typeof jwk.kid === 'string' ? [jwk.kid] : []));
  const verifier = createVerifier({
    keys,
    issuer: options.issuer,
    audience: options.audience,
    requiredClaims: ['exp', 'iat', 'jti', 'tekmac', 'reportType', 'testDateInterval'],
    clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
    validate: (payload) => {
      diagnosisClaimsOf(payload);
      certificateIdOf(payload);
    },
    // Every certificate is good for one upload: nothing to gain from remembering verified ones.
    cache: false,
    nowMs,
  });

  /** Certificates already used (jti → exp in ms), kept until they expire. */
  const used = new Map<string, number>();
  const published: DiagnosisKey[] = [];

  async function upload(request: IncomingMessage): Promise<{ insertedKeys: number; kid: string }> {
    const body = await readJsonObject(request, maxBodyBytes);
    let batch: TemporaryExposureKey[];
    try {
      batch = parseTekBatch(body['temporaryExposureKeys']);
    } catch (error) {
      throw new UploadRejected(400, 'TEK_BATCH_INVALID', (error as Error).message);
    }
    const hmacKey = decodeBase64(body['hmacKey']);
    if (hmacKey === undefined || hmacKey.length < MIN_HMAC_KEY_BYTES) {
      throw new UploadRejected(400, 'HMAC_KEY_INVALID', `hmacKey must be at least ${MIN_HMAC_KEY_BYTES} bytes in standard base64`);
    }
    const token = body['verificationPayload'];
    if (typeof token !== 'string' || token.length === 0) throw new UploadRejected(401, 'CERTIFICATE_MISSING', 'verificationPayload must carry the diagnosis certificate from the EVS');

    const { payload, header } = await verifier.verify(token).catch((error: unknown) => {
      if (error instanceof KmsJwtError) throw new UploadRejected(error.status, error.code, error.message, kidOf(token));
      throw error;
    });
    const claims = diagnosisClaimsOf(payload);
    if (!tekMacMatches(batch, hmacKey, claims.tekmac)) {
      throw new UploadRejected(403, 'TEK_MAC_MISMATCH', 'the certificate was issued for another set of keys: the HMAC of this batch does not match its tekmac claim', header.kid);
    }
    const now = nowMs();
    for (const [jti, expMs] of used) if (expMs <= now) used.delete(jti);
    const jti = certificateIdOf(payload);
    if (used.has(jti)) throw new UploadRejected(409, 'CERTIFICATE_ALREADY_USED', 'this certificate was already used for an upload', header.kid);
    used.set(jti, Number(payload.exp) * 1000);

    const onsetDay = claims.symptomOnsetInterval === undefined ? undefined : claims.symptomOnsetInterval / 144;
    for (const key of batch) {
      const entry = { ...key, reportType: claims.reportType };
      published.push(onsetDay === undefined ? entry : { ...entry, daysSinceOnsetOfSymptoms: Math.floor(key.rollingStartNumber / 144) - onsetDay });
    }
    return { insertedKeys: batch.length, kid: header.kid };
  }

  function report(request: IncomingMessage, event: Omit<UploadEvent, 'requestId'>): void {
    const requestId = request.headers['x-request-id'];
    options.onUpload?.({ requestId: typeof requestId === 'string' ? requestId.slice(0, 64) : undefined, ...event });
  }

  async function handlePublish(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const { insertedKeys, kid } = await upload(request);
      report(request, { status: 200, code: 'ACCEPTED', message: `published ${insertedKeys} keys`, kid, insertedKeys });
      sendJson(response, 200, { status: 'accepted', insertedKeys });
    } catch (error) {
      const rejection =
        error instanceof UploadRejected ? error : error instanceof HttpRequestError ? new UploadRejected(error.status, error.code, error.message) : undefined;
      if (rejection === undefined) throw error;
      report(request, { status: rejection.status, code: rejection.code, message: rejection.message, insertedKeys: 0, ...(rejection.kid === undefined ? {} : { kid: rejection.kid }) });
      sendJson(response, rejection.status, { status: 'rejected', error: { code: rejection.code, message: rejection.message } });
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://ens').pathname;
    const method = request.method ?? 'GET';
    if (path === '/v1/publish') {
      if (method !== 'POST') throw new HttpRequestError(405, 'METHOD_NOT_ALLOWED', '/v1/publish answers POST only');
      return handlePublish(request, response);
    }
    if (path === '/v1/diagnosis-keys') {
      if (method !== 'GET') throw new HttpRequestError(405, 'METHOD_NOT_ALLOWED', '/v1/diagnosis-keys answers GET only');
      return sendJson(response, 200, { keys: published });
    }
    throw new HttpRequestError(404, 'NOT_FOUND', `no route ${path}`);
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof HttpRequestError) return sendJson(response, error.status, { error: { code: error.code, message: error.message } });
      sendJson(response, 500, { error: { code: 'INTERNAL_ERROR', message: 'the ENS failed to answer' } });
    });
  });
  server.keepAliveTimeout = 5_000;
  let port: number;
  try {
    port = await listen(server, host, options.port ?? 0);
  } catch (error) {
    keys.close();
    throw error;
  }
  return {
    url: urlOf(host, port),
    trustedKids: Object.freeze(trustedKids),
    close: async () => {
      keys.close();
      await closeServer(server);
    },
  };
}

import { JwksInvalidError } from './jwks-errors.js';
import type { JwksFetchFailureReason } from './jwks-events.js';

/** One GET of the JWKS. */
export interface JwksRequest {
  readonly url: URL;
  /** The URL as messages show it (no query). */
  readonly shown: string;
  /** The `ETag` of the document at hand: sent as `If-None-Match`. */
  readonly etag: string | undefined;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  /** Aborts the request when the provider closes. */
  readonly signal: AbortSignal;
}

/** What the JWKS URL answered: a body (200) or "unchanged" (304, to a conditional request). */
export type JwksResponse =
  | { readonly status: 200; readonly body: Uint8Array; readonly etag: string | undefined; readonly headers: Headers }
  | { readonly status: 304; readonly headers: Headers };

/** The JWKS could not be fetched: no answer in time, no connection, or an HTTP status other than 200/304. */
export class JwksRequestError extends Error {
  override readonly name = 'JwksRequestError';
  readonly reason: Exclude<JwksFetchFailureReason, 'invalid'>;
  readonly httpStatus: number | undefined;

  constructor(reason: Exclude<JwksFetchFailureReason, 'invalid'>, message: string, options: { httpStatus?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.httpStatus = options.httpStatus;
  }
}

/** The network error's own code (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`, ...), which undici keeps in `cause`. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Reads the body, refusing it (and closing the connection) once it passes `max` bytes. */
async function readCapped(response: Response, request: JwksRequest, abort: () => void): Promise<Uint8Array> {
  const tooLarge = (): JwksInvalidError =>
    new JwksInvalidError('too-large', request.shown, `answered more than maxResponseBytes (${request.maxResponseBytes} bytes); raise maxResponseBytes if the issuer really publishes that much, or check the url`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > request.maxResponseBytes) {
    abort();
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > request.maxResponseBytes) {
      abort();
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * One GET of the JWKS with Node's `fetch`: `If-None-Match` when a document is at hand, no redirects
 * followed, the whole exchange (headers and body) cut off at `requestTimeoutMs`, the body read up to
 * `maxResponseBytes`. Rejects with a `JwksRequestError`, a `JwksInvalidError` (oversize), or the
 * close signal's reason.
 */
export async function requestJwks(request: JwksRequest): Promise<JwksResponse> {
  const controller = new AbortController();
  const timeout = new DOMException(`no answer within requestTimeoutMs (${request.requestTimeoutMs} ms)`, 'TimeoutError');
  const onClose = (): void => controller.abort(request.signal.reason);
  if (request.signal.aborted) onClose();
  request.signal.addEventListener('abort', onClose, { once: true });
  // A timer that holds its controller until it fires or is cleared (not AbortSignal.timeout(), see kms-key-source.ts).
  const timer = setTimeout(() => controller.abort(timeout), request.requestTimeoutMs);
  timer.unref();
  const headers: Record<string, string> = { accept: 'application/jwk-set+json, application/json' };
  if (request.etag !== undefined) headers['if-none-match'] = request.etag;
  try {
    const response = await fetch(request.url, { method: 'GET', headers, redirect: 'manual', signal: controller.signal });
    const { status } = response;
    if (status === 304 && request.etag !== undefined) {
      await response.body?.cancel().catch(() => undefined);
      return { status: 304, headers: response.headers };
    }
    if (status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      const fix = status >= 300 && status < 400 ? ' (a redirect: redirects are not followed; configure the final https URL)' : '; check the url, and that the issuer serves its JWKS there';
      throw new JwksRequestError('http-status', `the JWKS at ${request.shown} answered HTTP ${status}${fix}`, { httpStatus: status });
    }
    const body = await readCapped(response, request, () => controller.abort(new DOMException('the response is larger than maxResponseBytes', 'AbortError')));
    return { status: 200, body, etag: response.headers.get('etag') ?? undefined, headers: response.headers };
  } catch (error) {
    if (error instanceof JwksRequestError || error instanceof JwksInvalidError) throw error;
    if (controller.signal.aborted && controller.signal.reason === timeout) {
      throw new JwksRequestError('timeout', `the JWKS at ${request.shown} did not answer within requestTimeoutMs (${request.requestTimeoutMs} ms)`, { cause: timeout });
    }
    if (request.signal.aborted) throw request.signal.reason;
    throw new JwksRequestError('network', `the JWKS at ${request.shown} cannot be reached (${networkCode(error)})`, { cause: error });
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onClose);
  }
}

/*
 * The webhook receiver, on Express: it takes the body as raw bytes, verifies it with the detached
 * JWS of the `Webhook-Signature` header using kms-jwt-verifier's message verifier, and trusts the
 * sender's keys through the JWKS the sender publishes (kms-pubkey-provider's createJwksKeyProvider:
 * only key ARNs of the sender's account and Region, fetched again on an unknown kid at most once per
 * cooldown). It has no AWS SDK client and no AWS access.
 *
 *   200 accepted         verified, for this endpoint, handled
 *   200 duplicate        a delivery handled before (the sender's retry, or a replay): not handled again
 *   401 <verifier code>  missing or bad signature, untrusted key, too old, not JSON, …
 *   401 WEBHOOK_AUDIENCE_MISMATCH  signed for another endpoint
 *   409 DELIVERY_IN_PROGRESS       the same delivery is being handled right now: retry later
 *   413 BODY_TOO_LARGE, 500 PROCESSING_FAILED, 503 <code> (JWKS unreachable with nothing usable at hand)
 */
import express, { type ErrorRequestHandler, type Response } from 'express';
import { createMessageVerifier, KmsJwtError, type VerifiedMessage } from 'kms-jwt-verifier';
import { createJwksKeyProvider, type JwksKeyProvider, type JwksKeyProviderOptions, type JwksTrustRule } from 'kms-pubkey-provider';
import { DeliveryLog } from './delivery-log.js';
import { listen } from './listen.js';
import { SIGNATURE_HEADER } from './signature-header.js';

/** Settings of the JWKS key provider other than what the receiver sets itself. */
export type JwksSettings = Omit<JwksKeyProviderOptions, 'url' | 'trust' | 'keyArns'>;

/** Options of {@link startWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** The sender's JWKS URL (`https://`, or `http://` on loopback). Required. */
  readonly jwksUrl: string;
  /** The sender's accounts and Regions (and optionally key ids) whose key ARNs its JWKS may publish. Required. */
  readonly trust: readonly JwksTrustRule[];
  /** The path deliveries are POSTed to. Default: `'/webhooks/orders'`. */
  readonly path?: string;
  /** Oldest delivery accepted, in seconds since it was signed (retries included). Default: `300`. */
  readonly maxMessageAgeSeconds?: number;
  /** Handles a verified delivery; a throw answers 500, and the sender's retry is handled again. Default: none. */
  readonly onEvent?: (event: ReceivedEvent) => Promise<void> | void;
  /** The JWKS provider's settings (`unknownKidCooldownMs`, hooks, …). Default: kms-pubkey-provider's. */
  readonly jwks?: JwksSettings;
  /** TCP port on 127.0.0.1. Default: `0`, a free port. */
  readonly port?: number;
  /** The clock, in epoch milliseconds. Default: `Date.now`. */
  readonly nowMs?: () => number;
}

/** A delivery the receiver accepted. */
export interface ReceivedEvent {
  /** The signed message's id (header `jti`). */
  readonly messageId: string;
  /** The key ARN that signed it. */
  readonly keyArn: string;
  /** The JSON body, parsed. */
  readonly payload: unknown;
}

/** The running receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** Where deliveries go, and what they must be signed for (`aud`): `<url><path>`. */
  readonly endpoint: string;
  /** The deliveries it accepted, in order. */
  events(): readonly ReceivedEvent[];
  readonly provider: JwksKeyProvider;
  /** Stops the server and the provider's background fetches. */
  close(): Promise<void>;
}

/** The largest body taken: the verifier's own limit (256 KiB). */
const MAX_BODY_BYTES = 262_144;

function problem(res: Response, status: number, code: string, message: string, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) res.set('Retry-After', String(retryAfterSeconds));
  res.status(status).json({ error: code, message });
}

/** `kid` and `jti` of a detached JWS header. Used only after the verifier checked its signature. */
function idsOf(jws: string): { kid: string; jti: string } | undefined {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return typeof header['kid'] === 'string' && typeof header['jti'] === 'string' ? { kid: header['kid'], jti: header['jti'] } : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the receiver once the sender's JWKS is fetched: an unreachable JWKS, or one with no key `trust` allows, fails here. */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const path = options.path ?? '/webhooks/orders';
  const provider = createJwksKeyProvider({ ...options.jwks, url: options.jwksUrl, trust: options.trust });
  try {
    await provider.ready();
  } catch (error) {
    provider.close();
    throw error;
  }
  const log = new DeliveryLog(options.nowMs === undefined ? {} : { nowMs: options.nowMs });
  const verifier = createMessageVerifier({
    keys: provider,
    maxMessageAgeSeconds: options.maxMessageAgeSeconds ?? 300,
    isReplayed: log.isReplayed,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(options.port ?? 0);
  } catch (error) {
    provider.close();
    throw error;
  }
  const endpoint = `${server.url}${path}`;
  const events: ReceivedEvent[] = [];

  const app = express();
  app.disable('x-powered-by');
  // The body as raw bytes, whatever its Content-Type: the signature covers these bytes, and the signed
  // header's `cty` (not the unsigned Content-Type) says they are JSON.
  app.post(path, express.raw({ type: () => true, limit: MAX_BODY_BYTES }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const jws = req.get(SIGNATURE_HEADER);
    let message: VerifiedMessage;
    try {
      message = await verifier.verify({ jws, payload: body });
    } catch (error) {
      if (!(error instanceof KmsJwtError)) throw error;
      if (error.code === 'ERR_MESSAGE_REPLAYED' && jws !== undefined) {
        // The replay check runs after the signature check: the header is genuine.
        const ids = idsOf(jws);
        const state = ids === undefined ? undefined : log.stateOf(ids.kid, ids.jti);
        if (state === 'done') {
          res.json({ status: 'duplicate' });
          return;
        }
        problem(res, 409, 'DELIVERY_IN_PROGRESS', 'this delivery is being handled: retry later', 5);
        return;
      }
      if (error.status === 503) {
        problem(res, 503, error.code, error.message, 30);
        return;
      }
      problem(res, 401, error.code, error.message);
      return;
    }
    if (message.header['aud'] !== endpoint) {
      log.forget(message.key, message.messageId);
      problem(res, 401, 'WEBHOOK_AUDIENCE_MISMATCH', `the delivery was signed for another endpoint than ${endpoint}`);
      return;
    }
    const event: ReceivedEvent = { messageId: message.messageId, keyArn: message.key, payload: message.payload };
    try {
      await options.onEvent?.(event);
    } catch {
      log.forget(message.key, message.messageId);
      problem(res, 500, 'PROCESSING_FAILED', 'the delivery could not be handled: retry later');
      return;
    }
    events.push(event);
    log.done(message.key, message.messageId);
    res.json({ status: 'accepted' });
  });
  app.get('/events', (_req, res) => {
    res.json({ events: events.map((event) => ({ messageId: event.messageId, keyArn: event.keyArn, payload: event.payload })) });
  });
  const answerErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'entity.too.large') {
      problem(res, 413, 'BODY_TOO_LARGE', `the body must be at most ${MAX_BODY_BYTES} bytes`);
      return;
    }
    next(error);
  };
  app.use(answerErrors);
  server.handle(app);

  return {
    url: server.url,
    endpoint,
    events: () => events,
    provider,
    async close() {
      provider.close();
      await server.close();
    },
  };
}

/*
 * The webhook sender: signs each delivery through KMS with kms-jwt-signer and POSTs the body exactly
 * as signed, with the detached JWS in the `Webhook-Signature` header; it publishes its public keys
 * at /.well-known/jwks.json (kms-jwt-express's jwksHandler over kms-pubkey-provider's exportJwks).
 *
 * Rotation: the sender signs with the key its signing alias names, but only once its own JWKS lists
 * that key — so a receiver that fetches the JWKS on an unknown kid finds it there — and the JWKS
 * keeps the previous key for its grace window, so deliveries signed before the move (retries, a
 * backlog) still verify.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import express from 'express';
import { jwksHandler } from 'kms-jwt-express';
import { createKmsMessageSigner, type KmsMessageSigner, type SignedMessage } from 'kms-jwt-signer';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { listen } from './listen.js';
import { SIGNATURE_HEADER } from './signature-header.js';

/** Options of {@link startWebhookSender}. */
export interface WebhookSenderOptions {
  /** The KMS client, created once and shared. Required. */
  readonly client: KMSClient;
  /** The signing alias (`alias/...`): moving it with UpdateAlias rotates the key. Required. */
  readonly keyAlias: string;
  /** How often the sender re-reads where its alias points, in ms. Default: `60000` (kms-pubkey-provider's). */
  readonly aliasRefreshMs?: number;
  /** How long the JWKS keeps listing a key after the alias left it, in ms: longer than receivers accept a delivery (their message age limit) and cache the JWKS. Default: `3600000` (1 hour). */
  readonly retiredKeyGraceMs?: number;
  /** `Cache-Control: max-age` of the JWKS, in seconds. Default: `300`. */
  readonly jwksCacheMaxAgeSeconds?: number;
  /** Attempts per delivery (the first and the retries). Default: `3`. */
  readonly maxAttempts?: number;
  /** Wait before the first retry, doubled before each next one, in ms. Default: `1000`. */
  readonly retryDelayMs?: number;
  /** Longest wait for one attempt's answer, in ms. Default: `10000`. */
  readonly requestTimeoutMs?: number;
  /** TCP port on 127.0.0.1. Default: `0`, a free port. */
  readonly port?: number;
  /** Told when the sender starts signing with another key. Default: none. */
  readonly onSigningKeyChanged?: (event: { readonly previousKeyArn: string; readonly keyArn: string }) => void;
}

/** One attempt of a delivery. */
export interface DeliveryAttempt {
  /** The HTTP status, or `0` when no answer came (connection refused, timeout). */
  readonly status: number;
  readonly body: unknown;
}

/** How a delivery ended. */
export interface Delivery {
  /** The last attempt's status (`0`: no answer). */
  readonly status: number;
  readonly body: unknown;
  readonly attempts: readonly DeliveryAttempt[];
}

/** The running sender. */
export interface WebhookSender {
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** Where its JWKS is: `<url>/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /** The ARN of the key it signs with now. */
  signingKeyArn(): string;
  /** The key ARNs its JWKS lists now. */
  publishedKeyArns(): string[];
  /** Adds an endpoint that `POST /events` delivers to. */
  subscribe(endpoint: string): void;
  /** Signs `event` for `endpoint` (one KMS Sign call): the endpoint is the `aud` header parameter, so a receiver can refuse a delivery meant for someone else. */
  sign(event: unknown, endpoint: string): Promise<SignedMessage>;
  /** POSTs a signed delivery, retrying on no answer, 408, 409, 425, 429 and 5xx. */
  deliver(endpoint: string, signed: SignedMessage): Promise<Delivery>;
  /** Signs and delivers. */
  send(endpoint: string, event: unknown): Promise<Delivery & { readonly signed: SignedMessage }>;
  /** Stops the server and the key provider's refreshes. */
  close(): Promise<void>;
}

const RETRIED = new Set([408, 409, 425, 429]);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the sender once its alias is resolved and its key fetched. */
export async function startWebhookSender(options: WebhookSenderOptions): Promise<WebhookSender> {
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  let aliasTarget: string | undefined;
  const provider = createKmsKeyProvider({
    client: options.client,
    keys: [options.keyAlias],
    ...(options.aliasRefreshMs === undefined ? {} : { aliasRefreshMs: options.aliasRefreshMs }),
    ...(options.retiredKeyGraceMs === undefined ? {} : { retiredKeyGraceMs: options.retiredKeyGraceMs }),
    onRotation: (event) => {
      if (event.keyArn !== undefined) aliasTarget = event.keyArn;
    },
  });
  await provider.ready();
  const initial = provider.exportSnapshot().aliases.find((entry) => entry.alias === options.keyAlias)?.keyArn;
  if (initial === undefined || initial === null) {
    provider.close();
    throw new Error(`${options.keyAlias} does not name a key`);
  }
  aliasTarget = initial;
  let signingKeyArn = initial;
  const signers = new Map<string, KmsMessageSigner>();
  const publishedKeyArns = (): string[] => provider.exportJwks().keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : []));

  /** The key to sign with: the alias's target once the JWKS lists it, the previous one until then. */
  const currentKey = (): string => {
    if (aliasTarget !== undefined && aliasTarget !== signingKeyArn && publishedKeyArns().includes(aliasTarget)) {
      const previousKeyArn = signingKeyArn;
      signingKeyArn = aliasTarget;
      options.onSigningKeyChanged?.({ previousKeyArn, keyArn: signingKeyArn });
    }
    return signingKeyArn;
  };

  const sign = (event: unknown, endpoint: string): Promise<SignedMessage> => {
    const keyArn = currentKey();
    let signer = signers.get(keyArn);
    if (signer === undefined) {
      signer = createKmsMessageSigner({ client: options.client, keyId: keyArn });
      signers.set(keyArn, signer);
    }
    return signer.sign({ json: event }, { header: { aud: endpoint } });
  };

  const attempt = async (endpoint: string, signed: SignedMessage): Promise<DeliveryAttempt> => {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': signed.contentType, [SIGNATURE_HEADER]: signed.detachedJws },
        body: signed.payload,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    } catch (error) {
      return { status: 0, body: error instanceof Error ? error.message : String(error) };
    }
  };

  const deliver = async (endpoint: string, signed: SignedMessage): Promise<Delivery> => {
    const attempts: DeliveryAttempt[] = [];
    for (;;) {
      const result = await attempt(endpoint, signed);
      attempts.push(result);
      const retry = result.status === 0 || RETRIED.has(result.status) || result.status >= 500;
      if (!retry || attempts.length >= maxAttempts) return { status: result.status, body: result.body, attempts };
      await sleep(retryDelayMs * 2 ** (attempts.length - 1));
    }
  };

  const subscribers: string[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.get('/.well-known/jwks.json', jwksHandler(provider, { cacheMaxAgeSeconds: options.jwksCacheMaxAgeSeconds ?? 300 }));
  // Something happened: deliver it to every subscriber, each delivery signed for its endpoint.
  app.post('/events', express.json({ limit: '256kb' }), async (req, res) => {
    const deliveries = await Promise.all(
      subscribers.map(async (endpoint) => {
        const delivery = await deliver(endpoint, await sign(req.body as unknown, endpoint));
        return { endpoint, status: delivery.status, attempts: delivery.attempts.length, answer: delivery.body };
      }),
    );
    res.json({ deliveries });
  });

  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(options.port ?? 0);
  } catch (error) {
    provider.close();
    throw error;
  }
  server.handle(app);
  return {
    url: server.url,
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    signingKeyArn: currentKey,
    publishedKeyArns,
    subscribe: (endpoint) => void subscribers.push(endpoint),
    sign,
    deliver,
    async send(endpoint, event) {
      const signed = await sign(event, endpoint);
      return { ...(await deliver(endpoint, signed)), signed };
    },
    async close() {
      provider.close();
      await server.close();
    },
  };
}

import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { jwksHandler } from 'kms-jwt-express';
import { createKmsJwtSigner, type KmsJwtSigner } from 'kms-jwt-signer';
import type { JsonWebKeySet } from 'kms-jwt-verifier';
import { expect, vi } from 'vitest';
import { createKmsKeyProvider, type JwksFetchedEvent, type JwksFetchFailedEvent, type JwksKeyIgnoredEvent, type JwksKeyProviderHooks, type KeyUntrustedEvent, type KmsKeyProvider } from '../src/index.js';
import { AUDIENCE, ISSUER, createKey, type KmsFixture } from './support.js';

export const JWKS_PATH = '/.well-known/jwks.json';

/** What the test server answers on the JWKS path. */
export type JwksMode =
  /** The issuer's `jwksHandler` (kms-jwt-express) over the published providers' `exportJwks()`. */
  | { readonly kind: 'jwks' }
  /** A bare HTTP status, as a broken issuer answers. */
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** A body of the test's choosing, with status 200. */
  | { readonly kind: 'body'; readonly body: string; readonly headers?: Readonly<Record<string, string>> }
  /** A 200 body streamed in `count` chunks without Content-Length, as long as the client keeps reading. */
  | { readonly kind: 'stream'; readonly chunk: string; readonly count: number }
  /** Never answers (until the client gives up). */
  | { readonly kind: 'hang' };

/** An issuer's JWKS route on 127.0.0.1, a free port: Express serving kms-jwt-express's `jwksHandler`. */
export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json`. */
  readonly url: string;
  /** The providers whose keys the JWKS publishes (their `exportJwks()` joined), replacing the previous ones. */
  publish(...sources: readonly { exportJwks(): JsonWebKeySet }[]): void;
  mode: JwksMode;
  /** Answered requests on the JWKS path, by status (200, 304, 500, ...). */
  readonly answered: Map<number, number>;
  /** Requests that reached the server on the JWKS path. */
  hits(): number;
  resetCounts(): void;
  /** Stops listening and drops every connection: requests are refused until `start()`. */
  stop(): Promise<void>;
  /** Listens again on the same port (nothing when listening). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startJwksServer(options: { cacheMaxAgeSeconds?: number } = {}): Promise<JwksServer> {
  let sources: readonly { exportJwks(): JsonWebKeySet }[] = [];
  let hits = 0;
  const answered = new Map<number, number>();
  const handler = jwksHandler({ exportJwks: () => ({ keys: sources.flatMap((source) => source.exportJwks().keys) }) }, { cacheMaxAgeSeconds: options.cacheMaxAgeSeconds ?? 300 });
  const app = express();
  const state: { mode: JwksMode } = { mode: { kind: 'jwks' } };
  app.get(JWKS_PATH, (req, res, next) => {
    hits += 1;
    res.on('finish', () => answered.set(res.statusCode, (answered.get(res.statusCode) ?? 0) + 1));
    const mode = state.mode;
    switch (mode.kind) {
      case 'jwks':
        handler(req, res, next);
        return;
      case 'status':
        res.status(mode.status).set(mode.headers ?? {}).end();
        return;
      case 'body':
        res.status(200).set({ 'Content-Type': 'application/json', ...mode.headers }).send(mode.body);
        return;
      case 'stream': {
        res.status(200).set('Content-Type', 'application/json');
        let sent = 0;
        const more = (): void => {
          while (sent < mode.count && !res.destroyed) {
            sent += 1;
            if (!res.write(mode.chunk)) {
              res.once('drain', more);
              return;
            }
          }
          if (!res.destroyed) res.end();
        };
        more();
        return;
      }
      case 'hang':
        return;
    }
  });
  let server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const stop = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}${JWKS_PATH}`,
    publish: (...next) => {
      sources = next;
    },
    get mode() {
      return state.mode;
    },
    set mode(mode: JwksMode) {
      state.mode = mode;
    },
    answered,
    hits: () => hits,
    resetCounts: () => {
      hits = 0;
      answered.clear();
    },
    stop,
    async start() {
      if (server.listening) return;
      server = app.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    close: stop,
  };
}

/** A signing key in kms-local: its ARN, an issuer-side provider whose exportJwks() publishes it, and a kms-jwt-signer. */
export interface IssuerKey {
  readonly arn: string;
  readonly provider: KmsKeyProvider;
  readonly signer: KmsJwtSigner;
}

/** Creates a KMS key in kms-local, its issuer provider (ready) and a signer on the test's clock. */
export async function issuerKey(fixture: KmsFixture, nowMs: () => number): Promise<IssuerKey> {
  const { arn } = await createKey(fixture.admin);
  const provider = createKmsKeyProvider({ client: fixture.client, keys: [arn] });
  await provider.ready();
  const signer = createKmsJwtSigner({ keyId: arn, client: fixture.admin, expiresInSeconds: 12 * 3600, issuer: ISSUER, audience: AUDIENCE, nowMs });
  return { arn, provider, signer };
}

/** The account-and-Region trust rule of kms-local's keys. */
export function localTrust(fixture: KmsFixture): { accountId: string; region: string } {
  return { accountId: fixture.kms.accountId, region: fixture.kms.region };
}

export type JwksEvent =
  | ({ readonly type: 'fetched' } & JwksFetchedEvent)
  | ({ readonly type: 'fetchFailed' } & JwksFetchFailedEvent)
  | ({ readonly type: 'ignored' } & JwksKeyIgnoredEvent)
  | ({ readonly type: 'untrusted' } & KeyUntrustedEvent);

/** Records every JWKS hook call, for assertions and for waiting on background fetches. */
export function recordJwksEvents(): {
  readonly log: JwksEvent[];
  readonly hooks: Required<JwksKeyProviderHooks>;
  count(type: JwksEvent['type']): number;
  until(predicate: (event: JwksEvent) => boolean): Promise<JwksEvent>;
} {
  const log: JwksEvent[] = [];
  return {
    log,
    hooks: {
      onJwksFetched: (event) => log.push({ type: 'fetched', ...event }),
      onJwksFetchFailed: (event) => log.push({ type: 'fetchFailed', ...event }),
      onJwksKeyIgnored: (event) => log.push({ type: 'ignored', ...event }),
      onKeyUntrusted: (event) => log.push({ type: 'untrusted', ...event }),
    },
    count: (type) => log.filter((event) => event.type === type).length,
    /** Waits (polling, real time) for a recorded event that matches, and returns it. */
    until: (predicate) =>
      vi.waitFor(
        () => {
          const found = log.find(predicate);
          expect(found, 'the expected JWKS event').toBeDefined();
          return found as JwksEvent;
        },
        { timeout: 5_000, interval: 5 },
      ),
  };
}

/** A token whose header names `kid` instead (its signature stays the original kid's: the kid lookup comes first). */
export function withKid(token: string, kid: string): string {
  const [header = '', payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
  return [Buffer.from(JSON.stringify({ ...decoded, kid })).toString('base64url'), payload, signature].join('.');
}

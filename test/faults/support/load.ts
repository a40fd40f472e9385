/*
 * A bounded load loop over loopback: a fixed number of workers send one request after another over
 * a keep-alive agent until the drill stops them (or a request cap is hit), each with a client-side
 * timeout so a hang is counted instead of waited on.
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RequestTimeoutError, send } from '../../adapters/support/http.js';
import type { KeyTokens } from './world.js';

export type TokenKind = 'valid' | 'tampered-payload' | 'tampered-signature' | 'untrusted-kid' | 'expired';

/** One request to send. */
export interface Shot {
  readonly route: string;
  readonly kind: TokenKind;
  /** The label of the key the token names (A, B, C, U). */
  readonly key: string;
  readonly token: string;
}

/** A request sent and what came of it (without its token). */
export interface Outcome {
  readonly route: string;
  readonly kind: TokenKind;
  readonly key: string;
  /** Epoch ms when the request was sent and when its answer (or failure) arrived. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
  /** The HTTP status, or `timeout` (the client gave up) or `error` (the connection failed). */
  readonly status: number | 'timeout' | 'error';
  /** Whether the answer contained the token sent. */
  readonly echoed: boolean;
}

export interface LoadOptions {
  /** `http://127.0.0.1:port` of the app. */
  readonly baseUrl: string;
  /** The next request, chosen from the drill's state when it is sent. */
  readonly next: (sequence: number) => Shot;
  /** Requests in flight at once. Default: `8`. */
  readonly concurrency?: number;
  /** The client gives up on a request after this long, in ms. */
  readonly clientTimeoutMs: number;
  /** Most requests sent, whatever the drill does. Default: `60000`. */
  readonly maxRequests?: number;
}

export interface Load {
  /** Requests answered (or failed) so far. */
  readonly outcomes: readonly Outcome[];
  /** Stops sending, waits for the requests in flight, and returns every outcome. */
  stop(): Promise<readonly Outcome[]>;
}

export function startLoad(options: LoadOptions): Load {
  const concurrency = options.concurrency ?? 8;
  const maxRequests = options.maxRequests ?? 60_000;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcome[] = [];
  let sequence = 0;
  let stopped = false;

  async function worker(): Promise<void> {
    while (!stopped && sequence < maxRequests) {
      const shot = options.next(sequence);
      sequence += 1;
      const startedAt = Date.now();
      const start = performance.now();
      let status: Outcome['status'];
      let echoed = false;
      try {
        const reply = await send(`${options.baseUrl}${shot.route}`, { authorization: `Bearer ${shot.token}` }, 'GET', { agent, timeoutMs: options.clientTimeoutMs });
        status = reply.status;
        echoed = reply.text.includes(shot.token);
      } catch (error) {
        status = error instanceof RequestTimeoutError ? 'timeout' : 'error';
      }
      outcomes.push({ route: shot.route, kind: shot.kind, key: shot.key, startedAt, endedAt: Date.now(), durationMs: performance.now() - start, status, echoed });
    }
  }

  const workers = Array.from({ length: concurrency }, () => worker());
  return {
    outcomes,
    async stop() {
      stopped = true;
      await Promise.all(workers);
      agent.destroy();
      return outcomes;
    },
  };
}

/**
 * The mix every drill sends to a route: half valid tokens (spread over `valid` keys and their
 * tokens), half invalid — a tampered payload, a tampered signature (both made from trusted keys'
 * valid tokens), a token of the untrusted key, an expired token of a trusted key.
 */
export function mixedShot(sequence: number, route: string, valid: readonly KeyTokens[], untrusted: KeyTokens): Shot {
  const round = Math.floor(sequence / 8);
  const keys = valid[round % valid.length] as KeyTokens;
  const index = Math.floor(round / valid.length) % keys.valid.length;
  switch (sequence % 8) {
    case 4:
      return { route, kind: 'tampered-payload', key: keys.label, token: keys.tamperedPayload[index] as string };
    case 5:
      return { route, kind: 'tampered-signature', key: keys.label, token: keys.tamperedSignature[index] as string };
    case 6:
      return { route, kind: 'untrusted-kid', key: untrusted.label, token: untrusted.valid[index % untrusted.valid.length] as string };
    case 7:
      return { route, kind: 'expired', key: keys.label, token: keys.expired };
    default: {
      // Four valid requests per round: rotate through the valid keys so each is asked evenly.
      const owner = valid[(round + (sequence % 8)) % valid.length] as KeyTokens;
      return { route, kind: 'valid', key: owner.label, token: owner.valid[(index + (sequence % 8)) % owner.valid.length] as string };
    }
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs a full garbage collection every `everyMs` until the returned function is called: under load
 * the collector runs anyway, and forcing it makes a drill meet what it breaks (a timer or signal held
 * only weakly, say) every time rather than now and then. The collector is exposed at run time, since
 * vitest's workers do not start with --expose-gc.
 */
export function collectGarbageEvery(everyMs: number): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const timer = setInterval(gc, everyMs);
  return () => clearInterval(timer);
}

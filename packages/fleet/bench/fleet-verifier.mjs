// One verifier process of fleet.bench.mjs (forked by it, driven over IPC): its own Redis connections, a
// kms-jwt-fleet revocation list, its own KMSClient and kms-pubkey-provider against the bench's kms-local,
// and a key signal. It reports, on the wall clock every process shares (performance.timeOrigin +
// performance.now(), epoch ms), the moment it first refuses what the bench watches: a revoked token, or
// a token of a key disabled in KMS. Not a test, and not meant to be run by hand.
import { KMSClient } from '@aws-sdk/client-kms';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { createClient } from 'redis';
import { createKeySignal, createRevocationList } from '../dist/index.js';

const now = () => performance.timeOrigin + performance.now();
const send = (message) => process.send?.(message);

/** Revocations being watched: id → the verified token whose refusal is awaited. */
const revocationWatches = new Map();
/** Key events being watched: keyArn → { id, token }. */
const keyWatches = new Map();
let list;
let verifier;

/** Checked synchronously after every message the list's (or the signal's) subscriber receives: when a request would first be refused. */
function afterMessage() {
  for (const [id, token] of revocationWatches) {
    if (list.isRevoked(token)) {
      const at = now();
      revocationWatches.delete(id);
      send({ type: 'refused', id, at });
    }
  }
}

/**
 * The list subscribes on `client.duplicate()`: the duplicate's subscribe is wrapped so that each
 * message, once the list has handled it (its mirror updated), runs afterMessage. No polling, so the
 * processes do not compete for the CPU while they wait.
 */
function observed(client) {
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (...args) => {
    const subscriber = duplicate(...args);
    const subscribe = subscriber.subscribe.bind(subscriber);
    subscriber.subscribe = (channel, listener, ...rest) =>
      subscribe(
        channel,
        (...message) => {
          listener(...message);
          afterMessage();
        },
        ...rest,
      );
    return subscriber;
  };
  return client;
}

async function start({ redisUrl, kms, keyArns, issuer, audience, failureCooldownMs }) {
  const redis = createClient({ url: redisUrl });
  redis.on('error', () => undefined);
  await redis.connect();
  observed(redis);
  const kmsClient = new KMSClient({ ...kms, maxAttempts: 1 });
  const provider = createKmsKeyProvider({ client: kmsClient, keys: keyArns, failureCooldownMs });
  list = createRevocationList({ client: redis });
  const signal = createKeySignal({
    client: redis,
    provider,
    onKeyEvent: (event) => {
      const watch = keyWatches.get(event.keyArn);
      if (watch === undefined) return;
      verifier.verify(watch.token).then(
        () => undefined,
        (error) => {
          const at = now();
          keyWatches.delete(event.keyArn);
          send({ type: 'key-refused', id: watch.id, at, code: error?.code ?? 'unexpected' });
        },
      );
    },
  });
  await Promise.all([provider.ready(), list.ready(), signal.ready()]);
  verifier = createVerifier({ keys: provider, issuer, audience, requiredClaims: ['exp', 'jti'] });
  return async () => {
    await Promise.all([list.close(), signal.close()]);
    provider.close();
    kmsClient.destroy();
    redis.destroy();
  };
}

let stop;
process.on('message', (message) => {
  switch (message.type) {
    case 'start':
      start(message).then(
        (close) => {
          stop = close;
          send({ type: 'ready', pid: process.pid });
        },
        (error) => {
          send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
          process.exit(1);
        },
      );
      break;
    case 'clock':
      send({ type: 'clock', id: message.id, at: now() });
      break;
    case 'watch-revocation': {
      const token = { header: { alg: 'ES256', kid: 'k' }, payload: { iss: message.iss, jti: message.jti, exp: message.exp }, key: 'k' };
      if (list.isRevoked(token)) send({ type: 'error', message: 'the watched token was revoked before the bench revoked it' });
      revocationWatches.set(message.id, token);
      send({ type: 'watching', id: message.id });
      break;
    }
    case 'watch-key':
      // Verified once before the key is disabled: the refusal that follows is the key's, nothing else.
      verifier.verify(message.token).then(
        () => {
          keyWatches.set(message.keyArn, { id: message.id, token: message.token });
          send({ type: 'watching', id: message.id });
        },
        (error) => send({ type: 'error', message: `the watched token was refused before its key was disabled: ${error?.code}` }),
      );
      break;
    case 'stop':
      Promise.resolve(stop?.()).finally(() => process.exit(0));
      break;
    default:
      break;
  }
});
process.on('disconnect', () => process.exit(0));

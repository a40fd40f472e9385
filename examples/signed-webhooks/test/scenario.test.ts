import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult, type ScenarioStep, type StepId } from '../src/run.js';

const MAIN_ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** A detached JWS long enough to be a whole signature. */
const WHOLE_JWS = /[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{40,}/;

describe('the signed-webhooks scenario', () => {
  let result: ScenarioResult;
  let output = '';

  beforeAll(async () => {
    result = await runScenario({ write: (text) => void (output += text) });
  });

  function step(id: StepId): ScenarioStep {
    const found = result.steps.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`the scenario has no step ${id}; output:\n${output}`);
    return found;
  }

  it('accepts deliveries signed by the sender, verified against its JWKS', () => {
    expect(step('receiver-trust').actual).toBe('key A');
    expect(step('valid').actual).toBe('200 accepted; 200 accepted');
  });

  it('refuses a tampered body and a missing signature header with 401', () => {
    expect(step('tampered').actual).toBe('401 ERR_JWS_SIGNATURE_INVALID');
    expect(step('missing-signature').actual).toBe('401 ERR_TOKEN_MALFORMED');
  });

  it('acknowledges a replayed delivery with 200 duplicate without handling it again', () => {
    expect(step('replayed').actual).toBe('200 duplicate');
    expect(step('handled-once').actual).toBe('5 deliveries, each once');
  });

  it('refuses a delivery signed for another endpoint', () => {
    expect(step('other-endpoint').actual).toBe('401 WEBHOOK_AUDIENCE_MISMATCH');
  });

  it("rotates the sender's key without breaking delivery: before and after the move, all accepted", () => {
    expect(step('rotation-published').actual).toBe('key A, key B; signing with key B');
    expect(step('rotation-deliveries').actual).toBe('200 accepted; 200 accepted; 200 accepted');
    expect(step('jwks-fetches').actual).toBe('2 fetches: key A; key A, key B');
  });

  it('passes only because each of its ten steps passed, and leaves nothing running', () => {
    expect(result.steps.map((candidate) => [candidate.id, candidate.passed])).toEqual(
      ['receiver-trust', 'valid', 'tampered', 'missing-signature', 'replayed', 'other-endpoint', 'rotation-published', 'rotation-deliveries', 'jwks-fetches', 'handled-once'].map((id) => [id, true]),
    );
    expect(result.passed).toBe(true);
    expect(result.running).toBeUndefined();
  });

  it('shows signatures by short prefixes only', () => {
    expect(output).toMatch(/Webhook-Signature eyJ[A-Za-z0-9_-]{13}… \d+ chars/);
    expect(output).not.toMatch(WHOLE_JWS);
  });
});

describe('the start script (node dist/main.js)', () => {
  it('runs the scenario, keeps the sender and receiver on free loopback ports, delivers an event posted to the sender, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN_ENTRY], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => /receiver listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], { timeout: 30_000, interval: 50 }).toBeDefined();
      const senderUrl = /sender listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      const receiverUrl = /receiver listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(output).toContain('Every step behaved as expected.');
      const response = await fetch(`${senderUrl}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"order.placed","orderId":"o-9"}' });
      expect(((await response.json()) as { deliveries: unknown[] }).deliveries).toEqual([{ endpoint: `${receiverUrl}/webhooks/orders`, status: 200, attempts: 1, answer: { status: 'accepted' } }]);
      const events = (await (await fetch(`${receiverUrl}/events`)).json()) as { events: { payload: unknown }[] };
      expect(events.events.at(-1)?.payload).toEqual({ type: 'order.placed', orderId: 'o-9' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

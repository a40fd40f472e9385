import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../src/measure.js';
import { runScenario, type ScenarioResult, type ScenarioStep, type StepId } from '../src/run.js';

const RUN_ENTRY = fileURLToPath(new URL('../dist/run.js', import.meta.url));
/** A JWS (compact or detached) long enough to be a whole signature. */
const WHOLE_JWS = /[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{40,}/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

describe('the signed-queue scenario', () => {
  let result: ScenarioResult;
  let output = '';

  beforeAll(async () => {
    result = await runScenario({ messages: 30, write: (text) => void (output += text) });
  });

  function step(id: StepId): ScenarioStep {
    const found = result.steps.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`the scenario has no step ${id}; output:\n${output}`);
    return found;
  }

  it('runs the consumer in a process whose environment holds PATH alone, trusting exactly the producer key', () => {
    expect(step('consumer-isolated').actual).toMatch(/^PATH; arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
  });

  it('accepts the producer’s messages, a 100 KiB one included', () => {
    expect(step('valid').actual).toBe('3 × accepted');
    expect(step('large').actual).toBe('1 × accepted');
    expect(output).toMatch(/\(receive 1, 102400 bytes\) → accepted, order o-1004 processed/);
  });

  it('refuses a tampered body, an untrusted key, a replayed message id and a missing signature', () => {
    expect(step('tampered').actual).toBe('1 × refused ERR_JWS_SIGNATURE_INVALID');
    expect(step('untrusted').actual).toBe('1 × refused ERR_KID_UNTRUSTED');
    expect(step('replayed').actual).toBe('1 × refused ERR_MESSAGE_REPLAYED');
    expect(step('missing-signature').actual).toBe('1 × refused ERR_TOKEN_MALFORMED');
  });

  it('reports the refused records as batch item failures, and they reach the dead-letter queue', () => {
    expect(step('batch-failures').actual).toBe('4 records, the refused ones');
    expect(step('dead-letters').actual).toBe('4 dead letters, queue empty');
  });

  it('makes no KMS call while the consumer verifies', () => {
    expect(step('consumer-kms-calls').actual).toBe('0 KMS calls during 3 invocations');
  });

  it('measures 0 KMS calls per message offline and one KMS Verify per message for the seed’s consumer', () => {
    const measurement = result.measurement;
    expect(measurement?.offline).toMatchObject({ messages: 30, accepted: 30, kmsCalls: 0 });
    expect(measurement?.kmsVerify).toMatchObject({ messages: 30, accepted: 30, kmsCalls: 30, kmsCallsByOperation: { Verify: 30, Sign: 0, GetPublicKey: 0, DescribeKey: 0 } });
    expect(step('measured-kms-calls').actual).toBe('offline: 0 KMS calls; seed: 30 Verify calls for 30 messages');
    expect(measurement?.table[0]).toMatch(/^consumer\s+messages\s+accepted\s+KMS calls\s+per message\s+median\s+p99$/);
    expect(measurement?.table[1]).toMatch(/^offline: kms-jwt-verifier \+ deploy-time JWKS\s+30\s+30\s+0\s+0\.00\s+\d+\.\d{3} ms\s+\d+\.\d{3} ms$/);
    expect(measurement?.table[2]).toMatch(/^seed: KMS Verify per message \(DIGEST\)\s+30\s+30\s+30\s+1\.00\s+\d+\.\d{3} ms\s+\d+\.\d{3} ms$/);
  });

  it('passes only because each of its steps passed, and stops the consumer process', () => {
    expect(result.steps.every((candidate) => candidate.passed)).toBe(true);
    expect(result.steps).toHaveLength(11);
    expect(result.passed).toBe(true);
    expect(isRunning(result.consumerPid ?? 0)).toBe(false);
  });

  it('shows signatures and message ids by short prefixes only', () => {
    expect(output).toMatch(/signature eyJ[A-Za-z0-9_-]{13}… \(\d+ chars\)/);
    expect(output).not.toMatch(WHOLE_JWS);
    // Message ids (UUIDs) appear as prefixes; the only whole UUIDs are those of key ARNs.
    expect(output).not.toMatch(/(?<!key\/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 200 }, (_, index) => 200 - index);
    expect(percentile(values, 0.5)).toBe(100);
    expect(percentile(values, 0.99)).toBe(198);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('the start script (node dist/run.js)', () => {
  it('narrates every step, prints the measured table, exits 0 and leaves no consumer process behind', async () => {
    const child = spawn(process.execPath, [RUN_ENTRY, '--messages', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    expect(exitCode, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('✘');
    expect(stdout).toMatch(/seed: KMS Verify per message \(DIGEST\)\s+20\s+20\s+20\s+1\.00/);
    expect(stdout).toContain('Every step behaved as expected.');
    const pid = Number(/consumer pid (\d+)/.exec(stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });
});

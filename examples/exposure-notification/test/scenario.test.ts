import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult, type ScenarioStep, type StepId } from '../src/run.js';

const RUN_ENTRY = fileURLToPath(new URL('../dist/run.js', import.meta.url));
/** Three base64url segments long enough to be a JWS: a whole certificate. */
const WHOLE_JWT = /[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function expectNoSecretsIn(output: string): void {
  expect(output).not.toMatch(WHOLE_JWT);
  expect(output).not.toContain('-----BEGIN');
  expect(output).not.toContain('hmacKey');
}

describe('the exposure-notification scenario, ENS trusting the EVS JWKS', () => {
  let result: ScenarioResult;
  let output = '';

  beforeAll(async () => {
    result = await runScenario({ trustFormat: 'jwks', write: (text) => void (output += text) });
  });

  function step(id: StepId): ScenarioStep {
    const found = result.steps.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`the scenario has no step ${id}; output:\n${output}`);
    return found;
  }

  it('starts the ENS trusting exactly the EVS key ARN from the imported JWKS', () => {
    expect(step('ens-trust').passed).toBe(true);
    expect(step('ens-trust').actual).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
  });

  it('accepts a TEK batch covered by a certificate from the trusted EVS', () => {
    expect(step('valid-upload').actual).toBe('200 ACCEPTED');
  });

  it('rejects the same certificate a second time with 409 CERTIFICATE_ALREADY_USED', () => {
    expect(step('replayed-upload').actual).toBe('409 CERTIFICATE_ALREADY_USED');
  });

  it('rejects a TEK batch the certificate does not cover with 403 TEK_MAC_MISMATCH', () => {
    expect(step('tampered-batch').actual).toBe('403 TEK_MAC_MISMATCH');
  });

  it('rejects a certificate from a lab whose key the ENS was not given with 401 ERR_KID_UNTRUSTED', () => {
    expect(step('unknown-lab').actual).toBe('401 ERR_KID_UNTRUSTED');
  });

  it('rejects an expired certificate with 401 ERR_JWT_EXPIRED', () => {
    expect(step('expired-certificate').actual).toBe('401 ERR_JWT_EXPIRED');
  });

  it('rejects a certificate whose payload was changed after signing with 401 ERR_JWS_SIGNATURE_INVALID', () => {
    expect(step('tampered-certificate').actual).toBe('401 ERR_JWS_SIGNATURE_INVALID');
  });

  it('publishes the keys of the accepted upload and none of the rejected ones', () => {
    expect(step('published-keys').actual).toBe('14 keys, all from upload 1');
  });

  it('verifies every upload without a single KMS call', () => {
    expect(step('ens-kms-calls').actual).toBe('0 KMS calls during 6 uploads');
  });

  it('passes only because every one of its nine steps passed', () => {
    expect(result.steps.map((candidate) => [candidate.id, candidate.passed])).toEqual([
      ['ens-trust', true],
      ['valid-upload', true],
      ['replayed-upload', true],
      ['tampered-batch', true],
      ['unknown-lab', true],
      ['expired-certificate', true],
      ['tampered-certificate', true],
      ['published-keys', true],
      ['ens-kms-calls', true],
    ]);
    expect(result.passed).toBe(true);
  });

  it('stops the ENS process it started', () => {
    expect(result.ensPid).toBeTypeOf('number');
    expect(isRunning(result.ensPid ?? 0)).toBe(false);
  });

  it('narrates certificates, codes and MACs by short prefixes only', () => {
    expect(output).toMatch(/certificate eyJ[A-Za-z0-9_-]{13}… \(\d+ chars\)/);
    expectNoSecretsIn(output);
  });
});

describe('the start script (node dist/run.js), ENS trusting the EVS PEM bound to its key ARN', () => {
  it('narrates every case, exits 0 and leaves no ENS process behind', async () => {
    const child = spawn(process.execPath, [RUN_ENTRY], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    expect(exitCode, stderr).toBe(0);
    expect(stderr).not.toMatch(/fail|error/i);
    expect(stdout).toContain('(PEM + key ARN)');
    for (const answer of ['200 ACCEPTED', '409 CERTIFICATE_ALREADY_USED', '403 TEK_MAC_MISMATCH', '401 ERR_KID_UNTRUSTED', '401 ERR_JWT_EXPIRED', '401 ERR_JWS_SIGNATURE_INVALID']) {
      expect(stdout).toContain(`✔ ${answer}, as expected`);
    }
    expect(stdout).not.toContain('✘');
    expect(stdout).toContain('Every step behaved as expected.');
    expectNoSecretsIn(stdout);
    const pid = Number(/ENS pid (\d+)/.exec(stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });
});

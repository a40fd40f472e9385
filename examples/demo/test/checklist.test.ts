import { describe, expect, it } from 'vitest';
import { Checklist } from '../src/checklist.js';

describe('the checklist that decides whether the demo passed', () => {
  it('passes when every step got what it expected', () => {
    const checklist = new Checklist(() => undefined);
    checklist.check('one', 'first', '200', '200');
    checklist.check('two', 'second', '401', '401');
    expect(checklist.passed).toBe(true);
  });

  it('fails when one step got something else, and says what', () => {
    let output = '';
    const checklist = new Checklist((text) => void (output += text));
    checklist.check('one', 'first', '200', '200');
    checklist.check('two', 'second', 'all three: 401', 'all three: 200');
    expect(checklist.passed).toBe(false);
    expect(output).toContain('✘ expected all three: 401\n    but got  all three: 200');
  });

  it('fails when a step could not finish', () => {
    const checklist = new Checklist(() => undefined);
    checklist.check('one', 'first', '200', '200');
    checklist.fail('two', 'every API following the alias did not happen within 5500 ms');
    expect(checklist.passed).toBe(false);
    expect(checklist.steps[1]).toMatchObject({ id: 'two', passed: false });
  });

  it('does not fail for a skipped step, but needs at least one step that ran', () => {
    const onlySkipped = new Checklist(() => undefined);
    onlySkipped.skip('outage', 'KMS down', 'needs kms-local');
    expect(onlySkipped.passed).toBe(false);
    onlySkipped.check('valid', 'valid', '200', '200');
    expect(onlySkipped.passed).toBe(true);
  });
});

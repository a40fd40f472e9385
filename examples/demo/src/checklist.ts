/** Each step of the demo states what it expects and records what happened; the demo passes only if every step did. */

export interface DemoStep {
  readonly id: string;
  readonly title: string;
  readonly expected: string;
  readonly actual: string;
  /** `undefined`: skipped (a step that needs kms-local, on real KMS). */
  readonly passed: boolean | undefined;
}

export class Checklist {
  readonly steps: DemoStep[] = [];

  constructor(private readonly write: (text: string) => void) {}

  /** Records a step and narrates its outcome: ✔ when `actual` is `expected`, ✘ otherwise. */
  check(id: string, title: string, expected: string, actual: string): boolean {
    const passed = actual === expected;
    this.steps.push({ id, title, expected, actual, passed });
    this.write(passed ? `  ✔ ${actual}\n` : `  ✘ expected ${expected}\n    but got  ${actual}\n`);
    return passed;
  }

  /** Records a step that could not finish (a wait that timed out, an error), and why. */
  fail(id: string, reason: string): void {
    this.steps.push({ id, title: `${id}: did not finish`, expected: 'to finish', actual: reason, passed: false });
    this.write(`  ✘ ${reason}\n`);
  }

  /** Records a step that did not run, and why. */
  skip(id: string, title: string, reason: string): void {
    this.steps.push({ id, title, expected: 'skipped', actual: reason, passed: undefined });
    this.write(`  – skipped: ${reason}\n`);
  }

  /** Every step that ran passed, and at least one ran. */
  get passed(): boolean {
    return this.steps.some((step) => step.passed === true) && this.steps.every((step) => step.passed !== false);
  }
}

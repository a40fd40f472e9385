import type { KmsOperationName } from './operations/index.js';
import { OPERATION_NAMES } from './operations/index.js';

/**
 * A fault to inject:
 * - `throttle`: answer `ThrottlingException` (HTTP 400), as KMS does past its request quota;
 * - `unavailable`: answer a 5xx (`KMSInternalException` 500 by default);
 * - `latency`: delay the answer by `latencyMs` before handling the request;
 * - `disconnect`: close the connection without an answer, as a crashed endpoint would.
 */
export interface FaultRule {
  /** What goes wrong. */
  readonly type: 'throttle' | 'unavailable' | 'latency' | 'disconnect';
  /** Operations the fault applies to. Default: every operation. */
  readonly operations?: readonly KmsOperationName[];
  /** Fraction of matching calls that fail, from 0 to 1. Default: 1 (every call). */
  readonly rate?: number;
  /** Added delay in milliseconds, for `latency`. Required there. */
  readonly latencyMs?: number;
  /** The 5xx exception for `unavailable`. Default: `KMSInternalException` (500). */
  readonly errorType?: 'KMSInternalException' | 'DependencyTimeoutException' | 'KeyUnavailableException';
}

/** Changes the faults of a running kms-local. */
export interface FaultController {
  /** Adds a fault; returns a function that removes it again. */
  inject(rule: FaultRule): () => void;
  /** Removes every fault. */
  clear(): void;
  /** The faults in force, in the order they were added. */
  readonly active: readonly FaultRule[];
}

/** What to do with one request, decided from the faults in force. */
export interface FaultDecision {
  readonly delayMs: number;
  readonly failure?: FaultRule | undefined;
}

export class Faults implements FaultController {
  #rules: FaultRule[] = [];
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  get active(): readonly FaultRule[] {
    return [...this.#rules];
  }

  inject(rule: FaultRule): () => void {
    validateRule(rule);
    // A frozen copy, operations included: changing the caller's object later has no effect.
    const entry: FaultRule = Object.freeze({ ...rule, ...(rule.operations === undefined ? {} : { operations: Object.freeze([...rule.operations]) }) });
    this.#rules.push(entry);
    return () => {
      this.#rules = this.#rules.filter((existing) => existing !== entry);
    };
  }

  clear(): void {
    this.#rules = [];
  }

  decide(operation: KmsOperationName | undefined): FaultDecision {
    let delayMs = 0;
    let failure: FaultRule | undefined;
    for (const rule of this.#rules) {
      if (rule.operations !== undefined && (operation === undefined || !rule.operations.includes(operation))) continue;
      if (this.#random() >= (rule.rate ?? 1)) continue;
      if (rule.type === 'latency') delayMs += rule.latencyMs ?? 0;
      else failure ??= rule;
    }
    return { delayMs, failure };
  }
}

const FAULT_TYPES: ReadonlyArray<FaultRule['type']> = ['throttle', 'unavailable', 'latency', 'disconnect'];
const ERROR_TYPES: ReadonlyArray<NonNullable<FaultRule['errorType']>> = ['KMSInternalException', 'DependencyTimeoutException', 'KeyUnavailableException'];

function validateRule(rule: FaultRule): void {
  if (typeof rule !== 'object' || rule === null) throw new TypeError('kms-local: a fault rule must be an object like { type: "throttle" }');
  const types: readonly string[] = FAULT_TYPES;
  if (!types.includes(rule.type)) throw new TypeError(`kms-local: fault type must be one of ${FAULT_TYPES.join(', ')}, not ${String(rule.type)}`);
  if (rule.rate !== undefined && !(typeof rule.rate === 'number' && rule.rate >= 0 && rule.rate <= 1)) throw new RangeError('kms-local: fault rate must be a number from 0 to 1');
  if (rule.type === 'latency' && !(typeof rule.latencyMs === 'number' && Number.isFinite(rule.latencyMs) && rule.latencyMs >= 0)) {
    throw new RangeError('kms-local: a latency fault needs latencyMs, a finite number of milliseconds >= 0');
  }
  if (rule.errorType !== undefined && !(ERROR_TYPES as readonly string[]).includes(rule.errorType)) {
    throw new TypeError(`kms-local: fault errorType must be one of ${ERROR_TYPES.join(', ')}, not ${String(rule.errorType)}`);
  }
  if (rule.operations !== undefined && !Array.isArray(rule.operations)) throw new TypeError('kms-local: fault operations must be a list of operation names');
  for (const operation of rule.operations ?? []) {
    if (!OPERATION_NAMES.includes(operation)) throw new TypeError(`kms-local: fault names unknown operation ${String(operation)}`);
  }
}

import { inspect } from 'node:util';

/** `JSON.stringify`, or why it failed (a cycle, a BigInt): loggers that serialize to JSON would fail the same way. */
function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch (error) {
    return `(JSON.stringify threw ${(error as Error).name})`;
  }
}

/** An error as JSON loggers serialize it (pino's `err` serializer, Winston's `errors()` format): type, message, stack, own enumerable members, cause. */
function serializeError(error: Error, seen: Set<unknown>): Record<string, unknown> {
  seen.add(error);
  const serialized: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [name, value] of Object.entries(error)) serialized[name] = value instanceof Error && !seen.has(value) ? serializeError(value, seen) : value;
  if (error.cause !== undefined) serialized['cause'] = error.cause instanceof Error && !seen.has(error.cause) ? serializeError(error.cause, seen) : error.cause;
  if (error instanceof AggregateError) serialized['errors'] = error.errors.map((inner: unknown) => (inner instanceof Error && !seen.has(inner) ? serializeError(inner, seen) : inner));
  return serialized;
}

/** Every error reachable from `error` through `cause` and `AggregateError.errors`, `error` first. */
export function errorChain(error: unknown): Error[] {
  const chain: Error[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (!(next instanceof Error) || chain.includes(next)) continue;
    chain.push(next);
    queue.push(next.cause);
    if (next instanceof AggregateError) queue.push(...(next.errors as unknown[]));
  }
  return chain;
}

/**
 * Renders a value every way an application typically logs it: `console.log(value)` (util.inspect,
 * default depth), util.inspect at full depth, `String(value)`, `JSON.stringify(value)`, and for
 * errors, for each error of the cause chain, its message, stack, `String()`, JSON and a JSON
 * logger's serialization.
 */
export function renderForLogs(value: unknown): string[] {
  const lines = [inspect(value), inspect(value, { depth: Infinity, breakLength: Infinity }), String(value), json(value)];
  for (const error of errorChain(value)) {
    lines.push(error.message, error.stack ?? '', String(error), json(error), json(serializeError(error, new Set())));
  }
  return lines;
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const CONSOLE_METHODS: readonly ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug', 'trace'];

/**
 * A capturing logger: everything recorded, rendered as loggers would, in one text to scan. `label`
 * says where an entry came from (and is what tests search for when they check a path ran).
 */
export class LogCapture {
  readonly #entries: { readonly label: string; readonly text: string }[] = [];

  /** Records `value` rendered every way it would typically be logged. */
  record(label: string, value: unknown): void {
    this.#entries.push({ label, text: renderForLogs(value).join('\n') });
  }

  /** Records text as it is (an HTTP answer, a process's output). */
  recordText(label: string, text: string): void {
    this.#entries.push({ label, text });
  }

  /** Routes console.* into this capture (each call's arguments, as console would print them) until the returned function is called. */
  captureConsole(): () => void {
    const originals = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
    for (const method of CONSOLE_METHODS) {
      console[method] = (...args: unknown[]) => this.recordText(`console.${method}`, args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
    }
    return () => {
      for (const [method, original] of originals) console[method] = original;
    };
  }

  get labels(): readonly string[] {
    return this.#entries.map((entry) => entry.label);
  }

  /** Everything captured, each entry under its label. */
  get text(): string {
    return this.#entries.map((entry) => `--- ${entry.label}\n${entry.text}`).join('\n');
  }
}

import { SpanStatusCode, type Attributes, type Histogram, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';

/** An error's name as a bounded attribute value: our error code, an identifier-like name (SDK exception names are), else `_OTHER`. */
export function errorType(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^ERR_[A-Z0-9_]{1,60}$/.test(code)) return code;
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(name) ? name : '_OTHER';
}

/** One timed operation: its span and the attributes of its duration. */
export interface TimedOperation {
  readonly name: string;
  readonly kind: SpanKind;
  /** The span's attributes. */
  readonly attributes: Attributes;
  /** The duration's attributes (bounded); `error.type` is added on failure. */
  readonly metric: Attributes;
  /** Called as the operation settles, before the span ends: the output, or the error and its type. */
  readonly settled?: (span: Span, outcome: { readonly output: unknown } | { readonly error: unknown; readonly type: string }) => void;
}

/**
 * Runs `run` inside an active span (so the spans of what it calls become children) and records its
 * duration in seconds in `histogram`. A failure sets `error.type` and an ERROR status on the span,
 * adds `error.type` to the duration's attributes, and is rethrown as it is.
 */
export function timedSpan<T>(tracer: Tracer, histogram: Histogram, operation: TimedOperation, run: () => Promise<T>): Promise<T> {
  const { metric, settled } = operation;
  return tracer.startActiveSpan(operation.name, { kind: operation.kind, attributes: operation.attributes }, (span) => {
    const start = performance.now();
    let running: Promise<T>;
    try {
      running = run();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(
      (output) => {
        settled?.(span, { output });
        span.end();
        histogram.record((performance.now() - start) / 1000, metric);
        return output;
      },
      (error: unknown) => {
        const type = errorType(error);
        settled?.(span, { error, type });
        span.setAttribute('error.type', type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
        span.end();
        histogram.record((performance.now() - start) / 1000, { ...metric, 'error.type': type });
        throw error;
      },
    );
  });
}

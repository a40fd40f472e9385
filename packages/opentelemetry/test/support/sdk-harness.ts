import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type DataPoint, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A metric reader collected on demand (pull), as Prometheus does. */
export class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** What an exported metric is: a (monotonic) sum, a non-monotonic sum, a gauge or a histogram. */
export type PointKind = 'counter' | 'updowncounter' | 'gauge' | 'histogram';

function kindOf(metric: MetricData): PointKind {
  if (metric.dataPointType === DataPointType.SUM) return metric.isMonotonic ? 'counter' : 'updowncounter';
  return metric.dataPointType === DataPointType.GAUGE ? 'gauge' : 'histogram';
}

/** One exported data point, flattened: the metric's name, unit and kind, the point's attributes and value. */
export interface Point {
  readonly name: string;
  readonly unit: string;
  readonly kind: PointKind;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: unknown;
}

/** The real OpenTelemetry SDK, wired for one test: a meter provider read by a pull reader, a tracer provider into memory. */
export interface SdkHarness {
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: BasicTracerProvider;
  readonly spans: InMemorySpanExporter;
  /** Collects now: every data point, flattened. */
  collect(): Promise<Point[]>;
  /** What one collection returned, as the SDK gives it (for the hygiene scan). */
  collectRaw(): Promise<ResourceMetrics>;
  shutdown(): Promise<void>;
}

export function startSdk(): SdkHarness {
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  async function collectRaw(): Promise<ResourceMetrics> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
    return resourceMetrics;
  }
  return {
    meterProvider,
    tracerProvider,
    spans,
    collectRaw,
    async collect() {
      const points: Point[] = [];
      for (const scope of (await collectRaw()).scopeMetrics) {
        for (const metric of scope.metrics) {
          for (const point of metric.dataPoints as DataPoint<unknown>[]) {
            points.push({ name: metric.descriptor.name, unit: metric.descriptor.unit, kind: kindOf(metric), attributes: point.attributes, value: point.value });
          }
        }
      }
      return points;
    },
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** The points of one metric. */
export function pointsOf(points: readonly Point[], name: string): Point[] {
  return points.filter((point) => point.name === name);
}

/** The value of the one point of `name` whose attributes include `attributes`; `undefined` when there is none. */
export function valueOf(points: readonly Point[], name: string, attributes: Readonly<Record<string, unknown>>): unknown {
  const matching = pointsOf(points, name).filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value));
  if (matching.length > 1) throw new Error(`${matching.length} points of ${name} match ${JSON.stringify(attributes)}`);
  return matching[0]?.value;
}

/** Every attribute value the SDK holds, of metrics and of spans (their attributes and their events'), as text to scan. */
export function attributeText(metrics: ResourceMetrics, spans: readonly ReadableSpan[]): string {
  const values: unknown[] = [];
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) for (const point of metric.dataPoints as DataPoint<unknown>[]) values.push(point.attributes);
  }
  for (const span of spans) {
    values.push(span.name, span.attributes);
    for (const event of span.events) values.push(event.name, event.attributes);
  }
  return JSON.stringify(values);
}

/**
 * A context manager of a synchronous stack: enough for a span made active with `context.with` to be
 * the active span of the synchronous code inside (what HTTP instrumentation arranges per request).
 */
export class StackContextManager implements ContextManager {
  #stack: Context[] = [];
  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.#stack.push(context);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#stack = [];
    return this;
  }
}

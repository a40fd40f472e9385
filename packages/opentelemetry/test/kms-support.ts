import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, context, type Attributes, type Context, type ContextManager } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { KMSClient } from '@aws-sdk/client-kms';
import { startKmsLocal, type KmsLocal } from 'kms-local';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TelemetryScope } from '../src/telemetry-scope.js';

export { manualTime, type ManualTime } from '../../provider/test/support.js';

/** A pull reader: metrics are read when the test calls `collect()`. */
class TestReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** The context manager a Node SDK registers (AsyncLocalStorage), so that a span started in a span's callback is its child. */
class StorageContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(active: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#storage.run(active, () => fn.apply(thisArg, args));
  }

  bind<T>(active: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]): unknown => this.#storage.run(active, () => (target as (...inner: unknown[]) => unknown)(...args));
    return run as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#storage.disable();
    return this;
  }
}

/** A metric's data points as collected: attributes and value (a number, or a histogram's count and sum). */
export interface Point {
  readonly attributes: Attributes;
  readonly value: number | Histogram;
}

/** The real OpenTelemetry SDK, in memory: a MeterProvider read on demand and a tracer provider exporting to memory. */
export interface Harness {
  /** What `createProviderTelemetry` and `createSignerTelemetry` are built from. */
  readonly scope: TelemetryScope;
  /** Collects now; the data points of metric `name` (none when it recorded nothing). */
  points(name: string): Promise<Point[]>;
  /** The sum of a counter's (or gauge's) values over the points whose attributes include `match`. */
  sum(name: string, match?: Attributes): Promise<number>;
  /** The summed count of a histogram's points whose attributes include `match`. */
  count(name: string, match?: Attributes): Promise<number>;
  /** Spans ended so far. */
  spans(): ReadableSpan[];
  /** Every text the telemetry holds: metric names and attribute values, span names, attributes, status messages and events. */
  allText(): Promise<string>;
  close(): Promise<void>;
}

function matches(attributes: Attributes, match: Attributes | undefined): boolean {
  return Object.entries(match ?? {}).every(([key, value]) => attributes[key] === value);
}

export function startHarness(): Harness {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new StorageContextManager();
  context.setGlobalContextManager(manager);
  const scope: TelemetryScope = { meter: meterProvider.getMeter('kms-jwt-opentelemetry'), tracer: tracerProvider.getTracer('kms-jwt-opentelemetry') };

  async function all(): Promise<Map<string, Point[]>> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new Error(`collection failed: ${errors.map(String).join('; ')}`);
    const metrics = new Map<string, Point[]>();
    for (const scoped of resourceMetrics.scopeMetrics) {
      for (const metric of scoped.metrics) {
        const points = (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) => ({ attributes: point.attributes, value: point.value }));
        metrics.set(metric.descriptor.name, [...(metrics.get(metric.descriptor.name) ?? []), ...points]);
      }
    }
    return metrics;
  }

  const points = async (name: string): Promise<Point[]> => (await all()).get(name) ?? [];
  return {
    scope,
    points,
    async sum(name, match) {
      let total = 0;
      for (const point of await points(name)) if (matches(point.attributes, match) && typeof point.value === 'number') total += point.value;
      return total;
    },
    async count(name, match) {
      let total = 0;
      for (const point of await points(name)) if (matches(point.attributes, match) && typeof point.value !== 'number') total += point.value.count;
      return total;
    },
    spans: () => exporter.getFinishedSpans(),
    async allText() {
      const texts: string[] = [];
      for (const [name, metricPoints] of await all()) {
        texts.push(name);
        for (const point of metricPoints) texts.push(JSON.stringify(point.attributes));
      }
      for (const span of exporter.getFinishedSpans()) {
        texts.push(span.name, JSON.stringify(span.attributes), span.status.message ?? '', JSON.stringify(span.events));
      }
      return texts.join('\n');
    },
    async close() {
      context.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** kms-local for one test file, with an admin client, a client of one attempt per call, and a harness per test. */
export interface KmsTestWorld {
  readonly kms: KmsLocal;
  readonly admin: KMSClient;
  /** One attempt per call: the penalty box (provider) or the signer sees each failure, throttles included. */
  readonly client: KMSClient;
  /** A fresh harness for this test, closed after it. */
  start(): Harness;
}

/** Starts kms-local before the file's tests and closes it after them; clears its faults and closes the test's harness after each. */
export function useKmsTestWorld(): KmsTestWorld {
  let kms: KmsLocal | undefined;
  let admin: KMSClient | undefined;
  let client: KMSClient | undefined;
  let harness: Harness | undefined;
  beforeAll(async () => {
    kms = await startKmsLocal({ host: '127.0.0.1', port: 0, onError: () => undefined });
    admin = new KMSClient(kms.clientConfig);
    client = new KMSClient({ ...kms.clientConfig, maxAttempts: 1 });
  });
  afterAll(async () => {
    admin?.destroy();
    client?.destroy();
    await kms?.close();
  });
  afterEach(async () => {
    kms?.faults.clear();
    await harness?.close();
    harness = undefined;
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('kms-local is not started yet: use the world inside a test');
    return value;
  };
  return {
    get kms() {
      return started(kms);
    },
    get admin() {
      return started(admin);
    },
    get client() {
      return started(client);
    },
    start() {
      harness = startHarness();
      return harness;
    },
  };
}

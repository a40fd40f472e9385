/*
 * An orders API on Express, protected by kms-jwt-express and instrumented by kms-jwt-opentelemetry:
 * the verifier and the revocation list report to OpenTelemetry meters, and
 * @opentelemetry/exporter-prometheus serves what they count at `/metrics` on a loopback port of its
 * own, for Prometheus to scrape (the API's port never serves metrics).
 */
import type { RequestListener } from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { listen, type RunningServer } from 'kms-jwt-example-token-issuer';
import { HttpAuthError, kmsJwt, requireScopes } from 'kms-jwt-express';
import { createRevocationList } from 'kms-jwt-fleet';
import { createKmsJwtTelemetry } from 'kms-jwt-opentelemetry';
import { createVerifier } from 'kms-jwt-verifier';
import { createKmsKeyProvider, type KmsKeyProvider } from 'kms-pubkey-provider';

/** Options of {@link createObservedApi}. */
export interface ObservedApiOptions {
  /** The KMS client. Default: one configured from the environment (`AWS_REGION`, `AWS_ENDPOINT_URL_KMS`, credentials), destroyed by `close()`. */
  readonly client?: KMSClient;
  /** The trusted keys: the issuer's alias (rotation is followed), key ARNs or key ids. Required. */
  readonly keyIds: readonly string[];
  /** The accepted `iss`. Required. */
  readonly issuer: string;
  /** The accepted `aud`. Required. */
  readonly audience: string | readonly string[];
  /** The port of the metrics server (`/metrics`, on 127.0.0.1). Default: `9464` (the Prometheus exporter's); `0` for a free one. */
  readonly metricsPort?: number;
}

/** The API, ready to listen, and its metrics server, listening. */
export interface ObservedApi {
  readonly app: Express;
  /** The same app, as a Node request listener. */
  readonly handler: RequestListener;
  readonly provider: KmsKeyProvider;
  /** The metrics server: `${metrics.url}/metrics` is what Prometheus scrapes. */
  readonly metrics: RunningServer;
  /** Stops the metrics server, the provider, the revocation list and the meter provider (and destroys a client created here). */
  close(): Promise<void>;
}

const ORDERS = [
  { id: 'order-1001', item: 'espresso beans', quantity: 2 },
  { id: 'order-1002', item: 'milk frother', quantity: 1 },
];

/** Creates the API once its keys are fetched, with its metrics server listening. */
export async function createObservedApi(options: ObservedApiOptions): Promise<ObservedApi> {
  // The exporter is a pull metric reader: it collects when scraped. Its own server is not started:
  // the one below serves it, on loopback only.
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const telemetry = createKmsJwtTelemetry({ meterProvider });

  const ownClient = options.client === undefined ? new KMSClient({}) : undefined;
  const client = options.client ?? (ownClient as KMSClient);
  const provider = createKmsKeyProvider({ client, keys: options.keyIds, telemetry: telemetry.provider });
  const revocations = createRevocationList({ telemetry: telemetry.fleet });
  const cleanups: (() => Promise<void> | void)[] = [() => meterProvider.shutdown(), () => revocations.close(), () => provider.close(), () => ownClient?.destroy()];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    await provider.ready();
    const metrics = await listen((request, response) => {
      if (request.method === 'GET' && request.url === '/metrics') return exporter.getMetricsRequestHandler(request, response);
      response.writeHead(404).end();
    }, { port: options.metricsPort ?? 9464 });
    cleanups.push(() => metrics.close());

    const verifier = createVerifier({ keys: provider, issuer: options.issuer, audience: options.audience, telemetry: telemetry.verifier });
    const auth = kmsJwt({ verifier, realm: 'orders-api', isRevoked: revocations.isRevoked });
    const app = express();
    app.disable('x-powered-by');
    app.get('/health', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/orders', auth, requireScopes('orders:read'), (req, res) => {
      res.json({ sub: req.auth?.sub, orders: ORDERS });
    });
    // Signs the caller out: its token is revoked (by iss and jti) until it expires.
    app.post('/logout', auth, async (req, res, next) => {
      try {
        await revocations.revoke({ iss: String(req.auth?.iss), jti: String(req.auth?.jti), exp: Number(req.auth?.exp) });
        res.status(204).end();
      } catch (error) {
        next(error);
      }
    });
    const answerAuthErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
      if (!(error instanceof HttpAuthError)) return next(error);
      res.status(error.status).set(error.headers).json(error.body);
    };
    app.use(answerAuthErrors);
    return { app, handler: app, provider, metrics, close };
  } catch (error) {
    await close();
    throw error;
  }
}

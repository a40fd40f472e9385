import type { KMSClient } from '@aws-sdk/client-kms';
import type { JwsAlgorithm, KmsCall, TraceKmsCall } from 'kms-jwt-verifier';
import { KeyProviderConfigError, KeyProviderEndpointError } from './errors.js';
import type { AliasAnswer, AliasSource, KeyAddress, KeyAnswer, KeySource } from './key-source.js';
import { keyIdOfArn } from './key-refs.js';
import { asError, classifyKmsError, errorName, KmsTimeoutError } from './kms-errors.js';
import { checkPublicKey } from './public-key.js';

/** The SDK's client type, for the `client` option: the only import of `@aws-sdk/client-kms` in this package. */
export type { KMSClient };

let sdkModule: Promise<typeof import('@aws-sdk/client-kms')> | undefined;

/** Loads the SDK on the first KMS call, so offline-only use does not need it installed. */
function sdk(): Promise<typeof import('@aws-sdk/client-kms')> {
  sdkModule ??= import('@aws-sdk/client-kms').catch((error: unknown) => {
    sdkModule = undefined;
    throw new Error('kms-pubkey-provider: @aws-sdk/client-kms (a peer dependency) is not installed; install it, or trust keys through offlineKeys only', {
      cause: error,
    });
  });
  return sdkModule;
}

let endpointModule: Promise<typeof import('kms-jwt-verifier/kms-endpoint')> | undefined;

/**
 * kms-jwt-verifier/kms-endpoint, loaded by the first endpoint check (before the first KMS call): a
 * provider answering from a snapshot or offline keys never loads it (bench/cold-start). Not remembered
 * when it fails, so that the next check tries again.
 */
function endpointRules(): Promise<typeof import('kms-jwt-verifier/kms-endpoint')> {
  endpointModule ??= import('kms-jwt-verifier/kms-endpoint').catch((error: unknown) => {
    endpointModule = undefined;
    throw error;
  });
  return endpointModule;
}

export interface KmsKeySourceOptions {
  /** The caller's client; `undefined` creates one (`new KMSClient({})`) on the first call, destroyed by `close()`. */
  readonly client: KMSClient | undefined;
  readonly requestTimeoutMs: number;
  /** The `algorithms` option: the allowlist every fetched key is narrowed by. */
  readonly algorithms: readonly JwsAlgorithm[] | undefined;
  /** The `trustedEndpoint` option (an http:// or https:// URL, normalised with the endpoint check): a non-AWS endpoint used without a warning (or over plain HTTP). */
  readonly trustedEndpoint: string | undefined;
  /** The telemetry's `traceKmsCall`: each call runs inside it. */
  readonly traceKmsCall: TraceKmsCall | undefined;
}

/** Keys and aliases from KMS: GetPublicKey (checked before trust) and DescribeKey, each cut off at `requestTimeoutMs`. */
export class KmsKeySource implements KeySource, AliasSource {
  readonly operation = 'GetPublicKey' as const;
  readonly #options: KmsKeySourceOptions;
  #client: Promise<KMSClient> | undefined;
  #ownClient: KMSClient | undefined;
  #endpointCheck: Promise<string> | undefined;
  #endpoint: string | undefined;

  constructor(options: KmsKeySourceOptions) {
    this.#options = options;
  }

  #getClient(): Promise<KMSClient> {
    if (this.#options.client !== undefined) return Promise.resolve(this.#options.client);
    this.#client ??= sdk().then(({ KMSClient }) => (this.#ownClient = new KMSClient({})));
    return this.#client;
  }

  /** The endpoint the client calls, once {@link KmsKeySource.checkEndpoint} has resolved it. */
  get endpoint(): string | undefined {
    return this.#endpoint;
  }

  /**
   * Resolves the endpoint the client calls (no network call) and checks it, once: rejects with
   * `KeyProviderEndpointError` for plain HTTP outside loopback, and warns once per client about an
   * endpoint that is not AWS KMS's (see kms-jwt-verifier/kms-endpoint). Every KMS call waits for it.
   */
  checkEndpoint(): Promise<string> {
    this.#endpointCheck ??= this.#checkEndpoint();
    return this.#endpointCheck;
  }

  async #checkEndpoint(): Promise<string> {
    let client: KMSClient;
    try {
      client = await this.#getClient();
    } catch (error) {
      // The SDK is not installed: not remembered, so that the next call tries to load it again.
      this.#endpointCheck = undefined;
      throw new KeyProviderConfigError((error instanceof Error ? error.message : String(error)).replace(/^kms-pubkey-provider: /, ''), { cause: error });
    }
    let rules: typeof import('kms-jwt-verifier/kms-endpoint');
    try {
      rules = await endpointRules();
    } catch (error) {
      // Not remembered either: the next call tries to load it again.
      this.#endpointCheck = undefined;
      throw error;
    }
    const { checkKmsEndpoint, toTrustedEndpoint } = rules;
    const trustedEndpoint = this.#options.trustedEndpoint === undefined ? undefined : toTrustedEndpoint(this.#options.trustedEndpoint);
    let verdict;
    try {
      verdict = await checkKmsEndpoint(client, { packageName: 'kms-pubkey-provider', trustedEndpoint });
    } catch (error) {
      throw new KeyProviderConfigError(`cannot tell which KMS endpoint the client calls (${error instanceof Error ? error.message : String(error)}); check its region and endpoint settings`, { cause: error });
    }
    if (verdict.kind === 'refused') throw new KeyProviderEndpointError(verdict.reason, verdict.endpoint);
    this.#endpoint = verdict.endpoint;
    return verdict.endpoint;
  }

  /** One GetPublicKey; refuses a key KMS answers about (not found, disabled, ...) or that fails the checks. */
  async fetchKey(key: KeyAddress, signal: AbortSignal): Promise<KeyAnswer> {
    await this.checkEndpoint();
    let answer;
    try {
      const [kms, { GetPublicKeyCommand }] = await Promise.all([this.#getClient(), sdk()]);
      const keyId = key.arn ?? key.keyId;
      answer = await this.#send({ operation: 'GetPublicKey', keyId, endpoint: this.#endpoint }, signal, (abortSignal) =>
        kms.send(new GetPublicKeyCommand({ KeyId: keyId }), { abortSignal }),
      );
    } catch (error) {
      if (signal.aborted) throw error;
      const failure = classifyKmsError(error);
      if (failure.kind === 'untrusted') return { kind: 'refused', reason: failure.reason, detail: asError(error) };
      throw error;
    }
    const checked = checkPublicKey(answer, this.#options.algorithms);
    return typeof checked === 'string' ? { kind: 'refused', reason: 'unusable', detail: checked } : { kind: 'key', key: checked };
  }

  /** One DescribeKey of the alias: its target key and whether that key is enabled. */
  async describeAlias(alias: string): Promise<AliasAnswer> {
    await this.checkEndpoint();
    try {
      const [kms, { DescribeKeyCommand }] = await Promise.all([this.#getClient(), sdk()]);
      const output = await this.#send({ operation: 'DescribeKey', keyId: alias, endpoint: this.#endpoint }, undefined, (abortSignal) =>
        kms.send(new DescribeKeyCommand({ KeyId: alias }), { abortSignal }),
      );
      const metadata = output.KeyMetadata;
      if (metadata?.Arn === undefined || metadata.KeyId === undefined || keyIdOfArn(metadata.Arn) !== metadata.KeyId) {
        throw new Error('DescribeKey answered without the key ARN and key id');
      }
      return { kind: 'target', keyId: metadata.KeyId, arn: metadata.Arn, enabled: metadata.KeyState === 'Enabled' };
    } catch (error) {
      if (errorName(error) === 'NotFoundException') return { kind: 'missing', error: asError(error) };
      throw error;
    }
  }

  /**
   * Runs one KMS call (traced), aborted by `signal` or cut off at `requestTimeoutMs`. A call cut off
   * rejects with a `KmsTimeoutError` (the SDK's own rejection, which drops the abort reason, as its cause).
   */
  async #send<T>(call: KmsCall & { readonly operation: 'GetPublicKey' | 'DescribeKey' }, signal: AbortSignal | undefined, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const { requestTimeoutMs } = this.#options;
    // Not AbortSignal.timeout(): on Node 20 a timeout signal reachable only through AbortSignal.any()
    // can be garbage-collected before it fires, and the call then waits as long as KMS does
    // (nodejs/node#57736). The timer below holds its controller until it fires or is cleared.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), requestTimeoutMs);
    timer.unref();
    try {
      return await this.#traced(call, () => run(signal === undefined ? timeout.signal : AbortSignal.any([signal, timeout.signal])));
    } catch (error) {
      // KMS's own answer about the key (not found, disabled, ...) stays what it is, whenever it came.
      if (timeout.signal.aborted && signal?.aborted !== true && classifyKmsError(error).kind === 'unavailable') {
        throw new KmsTimeoutError(call.operation, requestTimeoutMs, error);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs one KMS call, inside the telemetry's `traceKmsCall` when there is one. */
  #traced<T>(call: KmsCall, run: () => Promise<T>): Promise<T> {
    const trace = this.#options.traceKmsCall;
    return trace === undefined ? run() : trace(call, run);
  }

  /** Destroys the client this source created (never the caller's). */
  close(): void {
    this.#ownClient?.destroy();
  }
}

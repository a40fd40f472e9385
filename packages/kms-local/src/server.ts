import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsError } from './errors.js';
import type { Faults } from './faults.js';
import { Input, isPlainObject } from './input.js';
import type { KmsAccount } from './account.js';
import { isOperationName, KMS_API_OPERATIONS, OPERATION_NAMES, OPERATIONS, type KmsOperationName } from './operations/index.js';
import { REGION_NAME } from './partition.js';

const TARGET_PREFIX = 'TrentService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface HandlerOptions {
  /** The account whose Regions the requests are routed to. */
  readonly account: KmsAccount;
  readonly faults: Faults;
  readonly maxBodyBytes: number;
  readonly countCall: (operation: KmsOperationName) => void;
  readonly onError: (error: unknown) => void;
}

/** The HTTP side of kms-local: AWS JSON 1.1 in, AWS JSON 1.1 out; never throws. */
export function createRequestHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      options.onError(error);
      if (!res.headersSent) send(res, 500, { __type: 'KMSInternalException', message: 'kms-local failed to handle the request' });
      else res.destroy();
    });
  };
}

async function handle(options: HandlerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    sendError(res, new KmsError('UnsupportedOperationException', `kms-local answers POST requests with an X-Amz-Target header, not ${req.method ?? 'this method'}`, 405));
    return;
  }
  const body = await readBody(req, options.maxBodyBytes);
  if (body === 'aborted') {
    // The client went away before its body was complete: nobody is left to answer.
    res.destroy();
    return;
  }
  if (body === 'too-large') {
    sendError(res, new KmsError('ValidationException', `The request body is larger than ${options.maxBodyBytes} bytes.`, 413), true);
    return;
  }

  const target = String(req.headers['x-amz-target'] ?? '');
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = isOperationName(name) ? name : undefined;
  if (operation) options.countCall(operation);

  const decision = options.faults.decide(operation);
  if (decision.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
  const failure = decision.failure;
  if (failure?.type === 'disconnect') {
    res.socket?.destroy();
    return;
  }
  if (failure?.type === 'throttle') {
    sendError(res, new KmsError('ThrottlingException', 'Rate exceeded (injected by kms-local)'));
    return;
  }
  if (failure?.type === 'unavailable') {
    sendError(res, new KmsError(failure.errorType ?? 'KMSInternalException', 'The service is unavailable (injected by kms-local)'));
    return;
  }

  if (!operation) {
    sendError(res, new KmsError('UnsupportedOperationException', unsupported(target, name)));
    return;
  }
  const region = regionOf(req, options.account.defaultRegion);
  if (region === undefined) {
    sendError(res, new KmsError('ValidationException', 'kms-local routes a request by the Region in its SigV4 credential scope, and this one names no Region like us-east-1; set the client\'s region.'));
    return;
  }
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    sendError(res, new KmsError('SerializationException', 'The request body is not valid JSON.'));
    return;
  }
  if (!isPlainObject(parsed)) {
    sendError(res, new KmsError('SerializationException', 'The request body must be a JSON object.'));
    return;
  }
  try {
    const result = await OPERATIONS[operation]({ store: options.account.region(region) }, new Input(parsed));
    send(res, 200, result);
  } catch (error) {
    if (error instanceof KmsError) sendError(res, error);
    else throw error;
  }
}

/** Why an X-Amz-Target is answered UnsupportedOperationException, in words that say what kms-local does implement. */
function unsupported(target: string, name: string): string {
  const implemented = `kms-local implements ${OPERATION_NAMES.join(', ')}`;
  if (target === '') return `kms-local does not implement requests without X-Amz-Target: send X-Amz-Target: TrentService.<Operation>; ${implemented}.`;
  if (KMS_API_OPERATIONS.includes(name)) return `kms-local does not implement the KMS operation ${name} (X-Amz-Target ${target}); ${implemented}.`;
  return `kms-local does not implement ${target}: it is not an operation of the KMS API (X-Amz-Target: TrentService.<Operation>); ${implemented}.`;
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/kms\/aws4_request/;

/**
 * The Region a request is for: the one of its SigV4 credential scope (the client's region), else,
 * for an unsigned request, the default Region; undefined when the scope names no valid Region.
 */
function regionOf(req: IncomingMessage, defaultRegion: string): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization === undefined) return defaultRegion;
  const scope = CREDENTIAL_SCOPE.exec(authorization);
  if (scope === null) return defaultRegion;
  const region = scope[1] ?? '';
  return REGION_NAME.test(region) ? region : undefined;
}

/** Reads the body up to `limit` bytes: `'too-large'` when it is longer, `'aborted'` when the client left midway. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on('data', (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size > limit) {
        overflow = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(overflow ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', () => resolve('aborted'));
  });
}

function sendError(res: ServerResponse, error: KmsError, close = false): void {
  if (close) res.setHeader('Connection', 'close');
  send(res, error.status, { __type: error.type, message: error.message });
}

function send(res: ServerResponse, status: number, body: object): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(payload);
}

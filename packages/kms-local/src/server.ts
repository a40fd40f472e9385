import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsError } from './errors.js';
import type { Faults } from './faults.js';
import { Input, isPlainObject } from './input.js';
import type { OperationContext } from './operations/context.js';
import { isOperationName, OPERATIONS, type KmsOperationName } from './operations/index.js';

const TARGET_PREFIX = 'TrentService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface HandlerOptions {
  readonly context: OperationContext;
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
    sendError(res, new KmsError('UnsupportedOperationException', `kms-local does not implement ${target === '' ? 'requests without X-Amz-Target' : target}`));
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
    const result = await OPERATIONS[operation](options.context, new Input(parsed));
    send(res, 200, result);
  } catch (error) {
    if (error instanceof KmsError) sendError(res, error);
    else throw error;
  }
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

import { MessageInvalidError, MessageTooLargeError } from './errors.js';
import { isJsonMediaType, isMediaType } from './media-type.js';
import { isPlainObject } from './validation.js';

/**
 * What a message signer signs: a JSON value (serialized with `JSON.stringify`; `contentType`
 * defaults to `application/json` and must be a JSON type), or bytes with their media type (bytes
 * whose media type is JSON must be UTF-8 JSON text).
 */
export type MessageContent = JsonMessageContent | BytesMessageContent;

/** A JSON value to sign: an object, an array, a string, a number, a boolean or null. */
export interface JsonMessageContent {
  readonly json: unknown;
  /** A JSON media type for `cty`, such as `application/cloudevents+json`. Default: `application/json`. */
  readonly contentType?: string;
}

/** Bytes to sign as they are, e.g. a body already serialized. */
export interface BytesMessageContent {
  readonly bytes: Uint8Array;
  /** Their media type, such as `text/csv` or `application/json`. Required. */
  readonly contentType: string;
}

/** A strict UTF-8 decoder: invalid sequences are an error, and a byte order mark stays (and is then not JSON). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function invalid(message: string, field: string): never {
  throw new MessageInvalidError(message, field);
}

function contentTypeOf(value: unknown, json: boolean): string {
  if (value === undefined && json) return 'application/json';
  if (typeof value !== 'string' || !isMediaType(value)) invalid('contentType must be a media type such as application/json or text/csv (type/subtype, then optional ;name=value parameters)', 'contentType');
  if (json && !isJsonMediaType(value)) invalid('contentType of a json message must be a JSON media type (application/json, or a +json type); sign other content as bytes', 'contentType');
  return value;
}

/** The payload bytes and their media type; throws a {@link MessageInvalidError} or {@link MessageTooLargeError} (never with the payload in its message). */
export function preparePayload(content: MessageContent, maxPayloadBytes: number): { readonly payload: Buffer; readonly contentType: string } {
  if (!isPlainObject(content)) invalid('the message must be { json } or { bytes, contentType }', 'content');
  const hasJson = Object.hasOwn(content, 'json');
  const hasBytes = Object.hasOwn(content, 'bytes');
  if (hasJson === hasBytes) invalid('the message must be { json } or { bytes, contentType }: exactly one of json and bytes', 'content');
  let payload: Buffer;
  let contentType: string;
  if (hasJson) {
    contentType = contentTypeOf(content['contentType'], true);
    let text: unknown;
    try {
      text = JSON.stringify(content['json']);
    } catch (error) {
      throw new MessageInvalidError('json must be JSON-serializable (no BigInt, no cycles)', 'json', { cause: error });
    }
    // undefined, a function or a symbol (or a toJSON returning one) serialize to nothing.
    if (typeof text !== 'string') invalid('json must be a JSON value: an object, an array, a string, a number, a boolean or null', 'json');
    payload = Buffer.from(text, 'utf8');
  } else {
    const bytes = content['bytes'];
    if (!(bytes instanceof Uint8Array)) invalid('bytes must be a Uint8Array (a Buffer)', 'bytes');
    contentType = contentTypeOf(content['contentType'], false);
    // A copy: the signed message keeps the bytes as signed even if the caller reuses theirs.
    payload = Buffer.from(bytes);
    if (isJsonMediaType(contentType)) {
      try {
        JSON.parse(UTF8.decode(payload));
      } catch {
        invalid(`the bytes are not UTF-8 JSON text, but their content type ${contentType} is JSON: sign them with another content type, or fix them`, 'bytes');
      }
    }
  }
  if (payload.length === 0) invalid('the payload is empty; a message has at least one byte', hasJson ? 'json' : 'bytes');
  if (payload.length > maxPayloadBytes) {
    throw new MessageTooLargeError(`the payload is ${payload.length} bytes, more than maxPayloadBytes (${maxPayloadBytes}): send it another way, such as in S3 with a signed message that points to it`);
  }
  return { payload, contentType };
}

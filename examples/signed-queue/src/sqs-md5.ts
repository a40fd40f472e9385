/*
 * The MD5 digests SQS reports with each message: of the body, and of the message attributes in
 * SQS's length-prefixed encoding (attributes sorted by name; for each, the name, the data type, a
 * transport byte — 1 for a string, 2 for binary — and the value, each value preceded by its length
 * as a 4-byte big-endian integer). They detect corruption in transit; they authenticate nothing.
 */
import { createHash, type Hash } from 'node:crypto';
import type { SqsSendMessageAttribute } from './sqs-types.js';

/** The hex MD5 of a message body, as `md5OfBody` and `MD5OfMessageBody` carry it. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

function updateWithLength(hash: Hash, bytes: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length).update(bytes);
}

/** The hex MD5 of message attributes, as `md5OfMessageAttributes` carries it; `undefined` when there are none. */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, SqsSendMessageAttribute>>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name] as SqsSendMessageAttribute;
    updateWithLength(hash, Buffer.from(name, 'utf8'));
    updateWithLength(hash, Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.StringValue !== undefined) {
      hash.update(Buffer.of(1));
      updateWithLength(hash, Buffer.from(attribute.StringValue, 'utf8'));
    } else {
      hash.update(Buffer.of(2));
      updateWithLength(hash, Buffer.from(attribute.BinaryValue ?? new Uint8Array()));
    }
  }
  return hash.digest('hex');
}

import { KmsError } from './errors.js';

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
}

interface IntegerRule {
  min: number;
  max: number;
}

/**
 * Reads the fields of one request body. A field of the wrong JSON type is a SerializationException
 * (as AWS's JSON protocol answers); a value outside its constraints is a ValidationException.
 */
export class Input {
  readonly #body: Record<string, unknown>;

  constructor(body: Record<string, unknown>) {
    this.#body = body;
  }

  #raw(name: string): unknown {
    return Object.hasOwn(this.#body, name) ? this.#body[name] : undefined;
  }

  #missing(name: string): KmsError {
    return new KmsError('ValidationException', `1 validation error detected: Value null at '${lower(name)}' failed to satisfy constraint: Member must not be null`);
  }

  #type(name: string, expected: string): KmsError {
    return new KmsError('SerializationException', `Field ${name} must be ${expected}`);
  }

  has(name: string): boolean {
    const value = this.#raw(name);
    return value !== undefined && value !== null;
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.#raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.#type(name, 'a string');
    const min = rule.min ?? 0;
    if (value.length < min) {
      throw new KmsError('ValidationException', `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
    }
    if (rule.max !== undefined && value.length > rule.max) {
      throw new KmsError('ValidationException', `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      throw new KmsError('ValidationException', `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    }
    return value;
  }

  requiredString(name: string, rule: StringRule = {}): string {
    const value = this.string(name, { min: 1, ...rule });
    if (value === undefined) throw this.#missing(name);
    return value;
  }

  enumValue<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new KmsError('ValidationException', `1 validation error detected: Value '${value}' at '${lower(name)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
    }
    return value as T;
  }

  requiredEnum<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.enumValue(name, allowed);
    if (value === undefined) throw this.#missing(name);
    return value;
  }

  integer(name: string, rule: IntegerRule): number | undefined {
    const value = this.#raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.#type(name, 'an integer');
    if (value < rule.min || value > rule.max) {
      throw new KmsError('ValidationException', `1 validation error detected: Value '${value}' at '${lower(name)}' failed to satisfy constraint: Member must have value between ${rule.min} and ${rule.max}`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.#raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.#type(name, 'a boolean');
    return value;
  }

  /** A base64 blob, decoded. Length limits apply to the decoded bytes, as in the KMS model. */
  blob(name: string, rule: { min?: number; max: number }): Buffer | undefined {
    const value = this.#raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !BASE64.test(value)) throw this.#type(name, 'a base64-encoded blob');
    const bytes = Buffer.from(value, 'base64');
    const min = rule.min ?? 1;
    if (bytes.length < min || bytes.length > rule.max) {
      throw new KmsError('ValidationException', `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must have length between ${min} and ${rule.max} bytes`);
    }
    return bytes;
  }

  requiredBlob(name: string, rule: { min?: number; max: number }): Buffer {
    const value = this.blob(name, rule);
    if (value === undefined) throw this.#missing(name);
    return value;
  }

  /** A list of objects, each read through its own Input. */
  list(name: string, rule: { max?: number } = {}): Input[] | undefined {
    const value = this.#raw(name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw this.#type(name, 'a list');
    if (rule.max !== undefined && value.length > rule.max) {
      throw new KmsError('ValidationException', `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
    }
    return value.map((item: unknown) => {
      if (!isPlainObject(item)) throw this.#type(name, 'a list of structures');
      return new Input(item);
    });
  }

  /** A list of strings; `max` limits the list, `itemMin`/`itemMax` the length of each string. */
  stringList(name: string, rule: { max?: number; itemMin?: number; itemMax?: number } = {}): string[] | undefined {
    const value = this.#raw(name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw this.#type(name, 'a list of strings');
    if (rule.max !== undefined && value.length > rule.max) {
      throw new KmsError('ValidationException', `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
    }
    for (const item of value as string[]) {
      if ((rule.itemMin !== undefined && item.length < rule.itemMin) || (rule.itemMax !== undefined && item.length > rule.itemMax)) {
        throw new KmsError(
          'ValidationException',
          `1 validation error detected: Value at '${lower(name)}' failed to satisfy constraint: Member must satisfy constraint: [Member must have length between ${rule.itemMin ?? 0} and ${rule.itemMax ?? 'any'}]`,
        );
      }
    }
    return value as string[];
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lower(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

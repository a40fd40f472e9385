import type { Input } from '../input.js';
import type { KmsStore } from '../store.js';

/** What every operation receives: the store and the request's fields. */
export interface OperationContext {
  readonly store: KmsStore;
}

/** One KMS operation: validates its input, acts on the store, and returns the response body. */
export type Operation = (context: OperationContext, input: Input) => Promise<object> | object;

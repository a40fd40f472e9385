import type { KeyProviderHooks } from './events.js';
import type { KeyProviderTelemetry } from './telemetry.js';

/** The provider's hooks, each optional. */
export type Hooks = { readonly [K in keyof KeyProviderHooks]-?: KeyProviderHooks[K] | undefined };

/** The event a hook takes. */
export type HookEvent<K extends keyof KeyProviderHooks> = Parameters<NonNullable<KeyProviderHooks[K]>>[0];

/** Calls the configured hooks, then telemetry's callback of the same name (if any); one that throws never breaks key resolution. */
export class HookEmitter {
  readonly #hooks: Hooks;
  readonly #telemetry: Partial<KeyProviderHooks> | undefined;

  constructor(hooks: Hooks, telemetry?: Pick<KeyProviderTelemetry, 'onRotation' | 'onKeyUntrusted'>) {
    this.#hooks = hooks;
    this.#telemetry = telemetry;
  }

  emit<K extends keyof KeyProviderHooks>(name: K, event: HookEvent<K>): void {
    call(this.#hooks[name] as ((event: HookEvent<K>) => void) | undefined, event);
    if (this.#telemetry !== undefined) call(this.#telemetry[name] as ((event: HookEvent<K>) => void) | undefined, event);
  }
}

function call<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A failing hook must not break key resolution.
  }
}

import type { KeyProviderHooks } from './events.js';

/** The provider's hooks, each optional. */
export type Hooks = { readonly [K in keyof KeyProviderHooks]-?: KeyProviderHooks[K] | undefined };

/** The event a hook takes. */
export type HookEvent<K extends keyof KeyProviderHooks> = Parameters<NonNullable<KeyProviderHooks[K]>>[0];

/** Calls the configured hooks; a hook that throws never breaks key resolution. */
export class HookEmitter {
  readonly #hooks: Hooks;

  constructor(hooks: Hooks) {
    this.#hooks = hooks;
  }

  emit<K extends keyof KeyProviderHooks>(name: K, event: HookEvent<K>): void {
    const hook = this.#hooks[name] as ((event: HookEvent<K>) => void) | undefined;
    if (hook === undefined) return;
    try {
      hook(event);
    } catch {
      // A failing hook must not break key resolution.
    }
  }
}

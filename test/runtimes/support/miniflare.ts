import { Miniflare } from 'miniflare';
import { ENTRIES } from './binaries.js';
import type { Bundle } from './bundle.js';

/** The newest compatibility date this miniflare's workerd (1.20260426) supports. */
export const COMPATIBILITY_DATE = '2026-04-01';

/** A bundled Worker running in workerd through miniflare, listening on 127.0.0.1 (a free port). */
export async function startWorker(bundle: Bundle, options: { readonly nodejsCompat?: boolean; readonly bindings?: Readonly<Record<string, string>> } = {}): Promise<{ readonly url: URL; readonly miniflare: Miniflare }> {
  const miniflare = new Miniflare({
    modulesRoot: ENTRIES,
    modules: [{ type: 'ESModule', path: `${ENTRIES}bundle.mjs`, contents: bundle.code }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: options.nodejsCompat === true ? ['nodejs_compat'] : [],
    bindings: { ...options.bindings },
    host: '127.0.0.1',
    port: 0,
  });
  return { url: await miniflare.ready, miniflare };
}

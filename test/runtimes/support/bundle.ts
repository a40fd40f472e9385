import { rolldown } from 'rolldown';

/** What a Workers bundler (wrangler's esbuild) resolves with: the workerd condition first. */
export const WORKERD_CONDITIONS = ['workerd', 'worker', 'browser', 'import', 'default'];

export interface Bundle {
  readonly code: string;
  /** Every module in the bundle, by path. */
  readonly modules: readonly string[];
}

/**
 * Bundles a Worker entry into one ES module with rolldown (vite's bundler), resolving packages as a
 * Workers build does. `external` modules stay imports (node:* with nodejs_compat).
 */
export async function bundleWorker(entry: string, options: { readonly external?: readonly (string | RegExp)[] } = {}): Promise<Bundle> {
  const build = await rolldown({
    input: entry,
    platform: 'browser',
    resolve: { conditionNames: WORKERD_CONDITIONS, mainFields: ['module', 'main'] },
    external: [...(options.external ?? [])],
    logLevel: 'silent',
  });
  try {
    const { output } = await build.generate({ format: 'esm', codeSplitting: false });
    const [chunk, ...rest] = output;
    if (chunk === undefined || chunk.type !== 'chunk' || rest.some((file) => file.type === 'chunk')) throw new Error('expected exactly one chunk');
    return { code: chunk.code, modules: chunk.moduleIds };
  } finally {
    await build.close();
  }
}

import { readdir, readFile } from 'node:fs/promises';
import { CliError } from '../../lib/errors.js';
import { EXIT_CODES } from '../../lib/exit-codes.js';

/** One file the console serves. */
export interface PageAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** The page: its HTML (with the session secret in it), its style sheet and its module scripts by path. */
export interface PageAssets {
  /** The HTML of `/` for this run's session secret. */
  html(session: string): string;
  /** `/console.css` and `/js/<name>.js`, nothing else. */
  readonly files: ReadonlyMap<string, PageAsset>;
}

/** The package's root, from dist/commands/console/ (where this module is built to). */
const PACKAGE_ROOT = new URL('../../../', import.meta.url);
const SESSION_PLACEHOLDER = '{{SESSION}}';

/**
 * Loads the page once, at start: console/index.html and console/console.css as written, and the
 * scripts tsc built from console/*.ts into dist/console/. Nothing else is ever read from disk, so
 * no request path can name another file.
 */
export async function loadPageAssets(): Promise<PageAssets> {
  const scripts = new URL('dist/console/', PACKAGE_ROOT);
  try {
    const html = await readFile(new URL('console/index.html', PACKAGE_ROOT), 'utf8');
    const files = new Map<string, PageAsset>([['/console.css', { contentType: 'text/css; charset=utf-8', body: await readFile(new URL('console/console.css', PACKAGE_ROOT)) }]]);
    for (const name of await readdir(scripts)) {
      if (/^[a-z-]+\.js$/.test(name)) files.set(`/js/${name}`, { contentType: 'text/javascript; charset=utf-8', body: await readFile(new URL(name, scripts)) });
    }
    if (!html.includes(SESSION_PLACEHOLDER) || !files.has('/js/main.js')) throw new Error('the page files are incomplete');
    return { html: (session) => html.replace(SESSION_PLACEHOLDER, session), files };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot load the console's page (${reason}): reinstall kms-jwt-cli, or run the build in a checkout`, EXIT_CODES.failure, { cause: error });
  }
}

import { readFileSync } from 'node:fs';

/** The name meters and tracers are obtained under (the instrumentation scope). */
export const PACKAGE_NAME = 'kms-jwt-opentelemetry';

/** This package's version, from its package.json (one directory above dist/); `undefined` where it cannot be read. */
export function packageVersion(): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

// The packed packages against the newest @aws-sdk/client-kms on the registry (the workspace pins one
// release in its lockfile). Run by `pnpm test:sdk-latest` in CI's Node 22/24/26 passes; it installs
// from the npm registry, so it is not part of the default suite.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, publishedPackages } from '../../scripts/packages.mjs';

interface SmokeResult {
  node: string;
  sdk: string;
  cliSdk: string;
  keyArn: string;
  verifiedBy: string;
  sub: string;
  tampered: string;
  cli: { valid: boolean; key?: string };
}

const workdir = mkdtempSync(join(tmpdir(), 'kms-jwt-sdk-latest-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let newest = '';
// npm, not the pnpm that runs this: without pnpm's npm_config_* settings, which npm warns about.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_config_')));
let result: SmokeResult;

beforeAll(() => {
  newest = execFileSync(npm, ['view', '@aws-sdk/client-kms@latest', 'version'], { encoding: 'utf8', env: npmEnv }).trim();
  const dependencies: Record<string, string> = { '@aws-sdk/client-kms': newest };
  for (const pkg of publishedPackages()) {
    const tarball = pack(pkg, join(workdir, 'tarballs'));
    dependencies[pkg.name] = `file:${tarball}`;
  }
  // overrides: the packages' own ranges on each other (^0.x) resolve to these tarballs, never the registry.
  writeFileSync(join(workdir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies, overrides: dependencies }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: workdir, env: npmEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  mkdirSync(join(workdir, 'src'), { recursive: true });
  copyFileSync(new URL('./smoke.mjs', import.meta.url), join(workdir, 'src', 'smoke.mjs'));
  const output = execFileSync(process.execPath, [join(workdir, 'src', 'smoke.mjs')], {
    cwd: workdir,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as SmokeResult;
  console.log(`newest @aws-sdk/client-kms ${result.sdk} on Node ${result.node}`);
}, 300_000);

afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe('the packed packages with the newest @aws-sdk/client-kms', () => {
  it('installed the newest release for the library and for the CLI', () => {
    expect(result.sdk).toBe(newest);
    expect(result.cliSdk).toBe(newest);
    const installed = JSON.parse(readFileSync(join(workdir, 'node_modules', '@aws-sdk', 'client-kms', 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(newest);
  });

  it('signs through KMS with kms-jwt-signer and verifies with kms-pubkey-provider + kms-jwt-verifier', () => {
    expect(result.keyArn).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
    expect(result.verifiedBy).toBe(result.keyArn);
    expect(result.sub).toBe('user-1');
  });

  it('refuses a tampered token', () => {
    expect(result.tampered).toBe('ERR_JWS_SIGNATURE_INVALID');
  });

  it('verifies with the kms-jwt CLI against KMS', () => {
    expect(result.cli.valid).toBe(true);
    expect(result.cli.key).toBe(result.keyArn);
  });
});

// The rotation recipe of the root README (its ```sh runnable block under "## Rotation") run as written,
// by bash, against kms-local. Only the environment is supplied: the SDK's (AWS_ENDPOINT_URL_KMS,
// AWS_REGION, kms-local's credentials), `kms-jwt` on PATH (the built bin), and KEY_A, which the README
// says to set to the key the alias points to before the rotation.
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, cliPath, decode, ensureBuilt, repoDir, scratchDir, startKms } from './support.js';

const ALIAS = 'alias/token-issuer';

/** The one ```sh runnable block of the README's "## Rotation" section. */
async function recipe(): Promise<string> {
  const readme = await readFile(join(repoDir, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Rotation\n');
  expect(start, 'README.md has no "## Rotation" section').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/^```sh runnable\n([\s\S]*?)^```$/gm)];
  expect(blocks, 'the Rotation section holds exactly one ```sh runnable block').toHaveLength(1);
  return blocks[0]?.[1] ?? '';
}

/** The block's commands, in order: every line that is not blank or a comment, continuation lines joined. */
function commandsOf(block: string): string[] {
  const commands: string[] = [];
  let pending = '';
  for (const line of block.split('\n')) {
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    pending += `${line}\n`;
    if (!line.endsWith('\\')) {
      commands.push(pending.trimEnd());
      pending = '';
    }
  }
  expect(pending, 'the last command ends with a line continuation').toBe('');
  return commands;
}

interface RecipeRun {
  /** Each command's exit status, in order. */
  readonly codes: number[];
  readonly output: string;
}

/**
 * Runs the commands in one bash process, in `dir`, exactly as written; after each one the harness
 * writes `$?` to file descriptor 3 (its only addition to the script). A failing command does not stop
 * the script, so every step's status is seen.
 */
async function runRecipe(commands: readonly string[], dir: string, env: Record<string, string>): Promise<RecipeRun> {
  const script = commands.map((command) => `${command}\nprintf '%s\\n' "$?" >&3`).join('\n');
  const scriptPath = join(dir, 'recipe.sh');
  await writeFile(scriptPath, `${script}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', scriptPath], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let output = '';
    let statuses = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const fd3 = child.stdio[3];
    if (fd3 === null || fd3 === undefined || !('setEncoding' in fd3)) throw new Error('no file descriptor 3 to read the statuses from');
    fd3.setEncoding('utf8').on('data', (chunk: string) => (statuses += chunk));
    child.once('error', reject);
    child.once('close', () => resolve({ codes: statuses.trim().split('\n').filter(Boolean).map(Number), output }));
  });
}

describe('the README rotation recipe', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;
  let commands: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, remove } = await scratchDir());
    // `kms-jwt` on PATH, as an installed kms-jwt-cli puts it there.
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'kms-jwt'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
    await chmod(join(dir, 'bin', 'kms-jwt'), 0o755);
    commands = commandsOf(await recipe());
  }, 180_000);

  afterAll(() => remove());

  /** A fresh kms-local with key A behind alias/token-issuer; the environment the recipe runs in; a client. */
  async function world(name: string): Promise<{ env: Record<string, string>; cwd: string; keyA: string; client: KMSClient; close: () => Promise<void> }> {
    const { kms } = await startKms();
    const client = new KMSClient(kms.clientConfig);
    const keyA = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'token issuer' }))).KeyMetadata?.Arn ?? '';
    await client.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: keyA }));
    const cwd = join(dir, name);
    await mkdir(cwd);
    const env = { ...baseEnv(cwd), PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`, AWS_ENDPOINT_URL_KMS: kms.endpoint, AWS_REGION: kms.region, KEY_A: keyA };
    return {
      env,
      cwd,
      keyA,
      client,
      close: async () => {
        client.destroy();
        await kms.close();
      },
    };
  }

  it('uses kms-jwt commands only', () => {
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const withoutComment = command.replace(/\s+#.*$/, '');
      expect(withoutComment, 'each command runs kms-jwt, optionally into a variable, with no other program piped or chained').toMatch(/^(?:[A-Z_]+=\$\()?kms-jwt [^|;&`]*$/);
    }
  });

  it('runs as written: every step exits 0, the alias ends on B, A is pending deletion, B is enabled', async () => {
    const { env, cwd, keyA, client, close } = await world('as-written');
    try {
      const run = await runRecipe(commands, cwd, env);
      expect(
        commands.map((command, index) => `${run.codes[index] ?? 'not run'}: ${command}`),
        run.output,
      ).toEqual(commands.map((command) => `0: ${command}`));

      const describeKey = async (keyId: string): Promise<KeyMetadata> => {
        const metadata = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
        if (metadata === undefined) throw new Error(`DescribeKey ${keyId} answered no KeyMetadata`);
        return metadata;
      };
      const b = await describeKey(ALIAS);
      expect(b.Arn).not.toBe(keyA);
      expect(b).toMatchObject({ KeyState: 'Enabled', KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256' });
      const a = await describeKey(keyA);
      expect(a.KeyState).toBe('PendingDeletion');
      // DescribeKey shows PendingDeletionWindowInDays only for PendingReplicaDeletion (as AWS does): the date tells the window.
      expect(Math.round(((a.DeletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000)).toBe(30);

      // What the recipe showed verifiers: a token B signed, and a JWKS of both keys.
      expect(decode((await readFile(join(cwd, 'b.jwt'), 'utf8')).trim()).header).toMatchObject({ alg: 'ES256', kid: b.Arn });
      const jwks = JSON.parse(await readFile(join(cwd, 'jwks.json'), 'utf8')) as { keys: { kid?: string }[] };
      expect(jwks.keys.map((jwk) => jwk.kid).sort()).toEqual([keyA, b.Arn].sort());
    } finally {
      await close();
    }
  });

  it("refuses step 3 (exit 1, A left enabled) when it is run before step 2 moved the alias, as the README says", async () => {
    const retire = commands.filter((command) => /^kms-jwt keys (disable|schedule-deletion) "\$KEY_A"/.test(command));
    expect(retire.map((command) => command.split(' ').slice(0, 3).join(' '))).toEqual(['kms-jwt keys disable', 'kms-jwt keys schedule-deletion']);
    const { env, cwd, keyA, client, close } = await world('too-early');
    try {
      const run = await runRecipe(retire, cwd, env);
      expect(run.codes, run.output).toEqual([1, 1]);
      expect(run.output).toContain(`refusing to disable ${keyA}: ${ALIAS} points to it`);
      expect((await client.send(new DescribeKeyCommand({ KeyId: keyA }))).KeyMetadata?.KeyState).toBe('Enabled');
    } finally {
      await close();
    }
  });
});

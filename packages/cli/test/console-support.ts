import { spawn, type ChildProcess } from 'node:child_process';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { KmsLocal } from 'kms-local';
import { baseEnv, cliPath } from './support.js';

/** A `kms-jwt console` process, with everything it wrote to stdout and stderr. */
export interface ConsoleProcess {
  /** `http://127.0.0.1:<port>/` as it printed it. */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts the built `kms-jwt console` with these flags (on port 0) and waits for the URL it prints. */
export async function startConsole(args: readonly string[], home: string): Promise<ConsoleProcess> {
  const child: ChildProcess = spawn(process.execPath, [cliPath, 'console', ...args], { cwd: home, env: baseEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const found = /kms-jwt console on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (found?.[1] !== undefined) resolve(found[1]);
    };
    child.stdout?.on('data', check);
    void exited.then((code) => reject(new Error(`kms-jwt console exited ${code} before printing its URL: ${output}`)));
  });
  return {
    url,
    host: new URL(url).host,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The KMS client of the tests, pointed at kms-local. */
export function kmsClient(kms: KmsLocal): KMSClient {
  return new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials: { accessKeyId: 'kms-local', secretAccessKey: 'kms-local' } });
}

/** A new ECC_NIST_P256 signing key in kms-local; its ARN. */
export async function createKey(client: KMSClient): Promise<string> {
  const created = await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'kms-jwt console test' }));
  const arn = created.KeyMetadata?.Arn;
  if (arn === undefined) throw new Error('kms-local returned no key ARN');
  return arn;
}

/** An alias to `keyArn`. */
export async function createAlias(client: KMSClient, alias: string, keyArn: string): Promise<void> {
  await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyArn }));
}

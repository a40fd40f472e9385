// Bun: kms-jwt-verifier and kms-pubkey-provider resolved by Bun itself from node_modules (the "bun" condition).
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { runSuite } from '../runner.ts';

const suite = JSON.parse(await Bun.stdin.text());
const providers = [];
const results = await runSuite(suite, (jwks) => {
  const provider = createKmsKeyProvider({ offlineKeys: [{ key: jwks }] });
  providers.push(provider);
  return provider;
});
for (const provider of providers) provider.close();
console.log(JSON.stringify({ runtime: `bun ${Bun.version}`, ...results }));

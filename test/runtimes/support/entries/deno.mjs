// Deno: kms-jwt-verifier and kms-pubkey-provider resolved by Deno itself from node_modules (the "deno" condition).
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { runSuite } from '../runner.ts';

const suite = JSON.parse(await new Response(Deno.stdin.readable).text());
const providers = [];
const results = await runSuite(suite, (jwks) => {
  const provider = createKmsKeyProvider({ offlineKeys: [{ key: jwks }] });
  providers.push(provider);
  return provider;
});
for (const provider of providers) provider.close();
console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, ...results }));

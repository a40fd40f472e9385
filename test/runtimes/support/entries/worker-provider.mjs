// workerd with nodejs_compat: the verifier and kms-pubkey-provider's offline keys (the provider reads files with node:fs).
import { createKmsKeyProvider } from 'kms-pubkey-provider';
import { runSuite } from '../runner.ts';

export default {
  async fetch(request) {
    const suite = await request.json();
    const providers = [];
    const results = await runSuite(suite, (jwks) => {
      const provider = createKmsKeyProvider({ offlineKeys: [{ key: jwks }] });
      providers.push(provider);
      return provider;
    });
    for (const provider of providers) provider.close();
    return Response.json({ runtime: `workerd with nodejs_compat (${navigator.userAgent})`, ...results });
  },
};

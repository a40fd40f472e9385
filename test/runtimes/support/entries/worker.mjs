// workerd without nodejs_compat: the verifier bundled with the "workerd" condition; POST a suite, get the results.
import { runSuite } from '../runner.ts';

export default {
  async fetch(request) {
    const suite = await request.json();
    return Response.json({ runtime: `workerd (${navigator.userAgent})`, ...(await runSuite(suite)) });
  },
};

// workerd: the Wycheproof vectors through the runtime module the workerd condition selects (runtime/web.js).
import * as runtime from '../../../../packages/verifier/dist/runtime/web.js';
import { runVectors } from '../wycheproof-runner.ts';

export default {
  async fetch(request) {
    return Response.json(await runVectors(await request.json(), runtime));
  },
};

// Bun: the Wycheproof vectors through the runtime module Bun's condition selects (runtime/node.js).
import * as runtime from '../../../../packages/verifier/dist/runtime/node.js';
import { runVectors } from '../wycheproof-runner.ts';

const files = JSON.parse(await Bun.stdin.text());
console.log(JSON.stringify(await runVectors(files, runtime)));

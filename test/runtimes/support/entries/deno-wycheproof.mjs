// Deno: the Wycheproof vectors through the runtime module Deno's condition selects (runtime/deno.js).
import * as runtime from '../../../../packages/verifier/dist/runtime/deno.js';
import { runVectors } from '../wycheproof-runner.ts';

const files = JSON.parse(await new Response(Deno.stdin.readable).text());
console.log(JSON.stringify(await runVectors(files, runtime)));

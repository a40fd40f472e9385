// Registers module-count-hooks.mjs (`node --import ./module-count.mjs case.mjs`).
import { register } from 'node:module';

register('./module-count-hooks.mjs', import.meta.url);

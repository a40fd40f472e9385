import type { Command } from '../lib/command.js';
import { inspect } from './inspect/definition.js';
import { jwks } from './jwks/definition.js';
import { keysCreate } from './keys/create/definition.js';
import { keysRotate } from './keys/rotate/definition.js';
import { local } from './local/definition.js';
import { sign } from './sign/definition.js';
import { verify } from './verify/definition.js';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [sign, verify, inspect, jwks, keysCreate, keysRotate, local];

import type { Command } from '../lib/command.js';
import { consoleCommand } from './console/definition.js';
import { inspect } from './inspect/definition.js';
import { jwks } from './jwks/definition.js';
import { keysCancelDeletion } from './keys/cancel-deletion/definition.js';
import { keysCreate } from './keys/create/definition.js';
import { keysDisable } from './keys/disable/definition.js';
import { keysEnable } from './keys/enable/definition.js';
import { keysList } from './keys/list/definition.js';
import { keysRecheck } from './keys/recheck/definition.js';
import { keysRotate } from './keys/rotate/definition.js';
import { keysScheduleDeletion } from './keys/schedule-deletion/definition.js';
import { local } from './local/definition.js';
import { revoke } from './revoke/definition.js';
import { revokedList } from './revoked/list/definition.js';
import { sign } from './sign/definition.js';
import { signMessage } from './sign-message/definition.js';
import { verify } from './verify/definition.js';
import { verifyMessage } from './verify-message/definition.js';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [sign, verify, signMessage, verifyMessage, inspect, consoleCommand, jwks, keysList, keysCreate, keysRotate, keysDisable, keysEnable, keysScheduleDeletion, keysCancelDeletion, keysRecheck, revoke, revokedList, local];

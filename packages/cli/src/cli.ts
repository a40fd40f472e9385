#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The SDK warns on every run that its 2027 releases will need Node 22; kms-jwt supports Node 20.19+
// and the warning is noise on a command's stderr. Set the variable to 'false' to see it.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const code = await runCli(process.argv.slice(2));
// Let stdout and stderr drain before exiting (pipes may be asynchronous), then exit even if an SDK
// socket lingers.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
process.exit(code);

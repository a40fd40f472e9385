// Module hooks for instructions.mjs: appends one line per module loaded (`<bytes> <url>`) to the
// file named by BENCH_MODULE_LIST (Node.js 20's NODE_DEBUG=module does not list ES modules).
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  const list = process.env.BENCH_MODULE_LIST;
  if (list !== undefined && url.startsWith('file:')) appendFileSync(list, `${result.source?.length ?? 0} ${url}\n`);
  return result;
}

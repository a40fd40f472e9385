import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

// The README examples fenced as ```ts runnable are complete programs that users copy: each is
// type-checked, as its own ES module, against the built packages (dist/*.d.ts, as an installed
// package resolves them) with the repository's strict compiler options. They are not run: most
// listen on a port or need KMS. `pnpm test` builds first; run `pnpm build` before this file alone.

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** READMEs with runnable examples, and how many each has at least (so a lost marker fails the test). */
const READMES: ReadonlyArray<readonly [path: string, atLeast: number]> = [
  ['README.md', 6],
  ['packages/express/README.md', 1],
  ['packages/koa/README.md', 1],
  ['packages/fastify/README.md', 1],
  ['packages/hono/README.md', 1],
  ['packages/passport/README.md', 1],
  ['packages/provider/README.md', 1],
  ['packages/fleet/README.md', 1],
  ['packages/opentelemetry/README.md', 1],
  ['packages/signer/README.md', 2],
  ['packages/kms-local/README.md', 1],
  ['packages/verifier/README.md', 3],
];

interface Example {
  readonly readme: string;
  /** 1-based line of the README where the example's code starts. */
  readonly line: number;
  /** Where the compiler sees it: a virtual file beside this test, so packages resolve from test/node_modules. */
  readonly fileName: string;
  readonly code: string;
}

function examplesOf(readme: string): Example[] {
  const lines = readFileSync(join(root, readme), 'utf8').split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```ts runnable') continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    if (end < 0) throw new Error(`${readme}:${i + 1}: the runnable example is not closed`);
    const name = `${readme.replace(/[^A-Za-z0-9]+/g, '-')}-${examples.length + 1}.mts`;
    examples.push({ readme, line: i + 2, fileName: join(here, name), code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return examples;
}

/** The repository's compiler options (tsconfig.base.json), checking only. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.base.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  return { ...parsed.options, noEmit: true, declaration: false, declarationMap: false, sourceMap: false };
}

/** Compiler diagnostics of each example, as `README.md:line:column message`. */
function typeCheck(examples: readonly Example[]): Map<Example, string[]> {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options, true);
  const byFile = new Map(examples.map((example) => [example.fileName, example]));
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (fileName) => byFile.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => byFile.get(fileName)?.code ?? readFile.call(host, fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const example = byFile.get(fileName);
    if (example !== undefined) return ts.createSourceFile(fileName, example.code, languageVersion, true);
    return getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
  };
  const program = ts.createProgram({ rootNames: [...byFile.keys()], options, host });
  const results = new Map<Example, string[]>();
  for (const example of examples) {
    const sourceFile = program.getSourceFile(example.fileName);
    if (sourceFile === undefined) throw new Error(`${example.readme}:${example.line}: the example was not compiled`);
    const messages = ts.getPreEmitDiagnostics(program, sourceFile).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const where = diagnostic.file.fileName === example.fileName ? `${example.readme}:${example.line + line}` : `${relative(root, diagnostic.file.fileName)}:${line + 1}`;
      return `${where}:${character + 1} ${text}`;
    });
    results.set(example, messages);
  }
  return results;
}

const examples = READMES.flatMap(([readme]) => examplesOf(readme));
let diagnostics: Map<Example, string[]>;
beforeAll(() => {
  diagnostics = typeCheck(examples);
}, 120_000);

describe.each(READMES)('runnable examples of %s', (readme, atLeast) => {
  const own = examples.filter((example) => example.readme === readme);

  it(`has at least ${atLeast} example(s) fenced as \`\`\`ts runnable`, () => {
    expect(own.length).toBeGreaterThanOrEqual(atLeast);
  });

  it('type-check against the built packages with the strict compiler options', () => {
    expect(own.flatMap((example) => diagnostics.get(example) ?? [`${readme}:${example.line}: not checked`])).toEqual([]);
  });
});

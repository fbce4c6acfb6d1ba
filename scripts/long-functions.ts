// Lists the functions of the TypeScript sources that are longer than a reader can hold, tests aside.
// A function is every function declaration, method, accessor, constructor, function expression and arrow
// function, measured from its first line to its last; a nested function counts on its own and also inside
// its parent, because the parent still has to be read whole.
//
//   node scripts/long-functions.ts            # functions over 80 lines; exit 1 if there are any
//   node scripts/long-functions.ts --max 60   # another limit
//   node scripts/long-functions.ts --files 400  # also the source files over 400 lines
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const SOURCE = /\.(ts|tsx|mts|cts)$/;
const TEST = /(\.test\.|\.spec\.|\/__tests__\/|\.d\.ts$)/;
/** Written by a generator (`pnpm api:types`), read by the compiler rather than by people. */
const GENERATED = /\/generated\//;

interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number above 0`);
  return value;
}

function sourceFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return tracked.split('\n').filter((file) => SOURCE.test(file) && !TEST.test(file) && !GENERATED.test(file));
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (named.name && (ts.isStringLiteral(named.name) || ts.isPrivateIdentifier(named.name))) {
    return named.name.text;
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && !ts.isComputedPropertyName(parent.name)) {
    return parent.name.getText();
  }
  if (parent && ts.isCallExpression(parent))
    return `(callback of ${parent.expression.getText().slice(0, 40)})`;
  return '(anonymous)';
}

function longFunctionsIn(file: string, max: number): LongFunction[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push({ file, line: first + 1, name: functionName(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function longFiles(files: string[], max: number): Array<{ file: string; lines: number }> {
  return files
    .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length - 1 }))
    .filter((entry) => entry.lines > max);
}

const maxLines = option('--max', 80);
const files = sourceFiles();
const functions = files.flatMap((file) => longFunctionsIn(file, maxLines)).sort((a, b) => b.lines - a.lines);
for (const fn of functions) console.log(`${fn.lines}\t${fn.file}:${fn.line}\t${fn.name}`);
console.log(
  `${functions.length} functions over ${maxLines} lines in ${files.length} source files (tests aside)`,
);

let failed = functions.length > 0;
if (process.argv.includes('--files')) {
  const maxFileLines = option('--files', 400);
  const files_ = longFiles(files, maxFileLines);
  for (const entry of files_) console.log(`${entry.lines}\t${entry.file}`);
  console.log(`${files_.length} source files over ${maxFileLines} lines`);
  failed ||= files_.length > 0;
}
process.exitCode = failed ? 1 : 0;

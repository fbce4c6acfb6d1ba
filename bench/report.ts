// `pnpm bench:report`: renders every bench/results/*.json, with its "Reading the figures" note from
// bench/notes/<benchmark>.md, into docs/benchmarks.md.
//
//   node bench/report.ts            # writes docs/benchmarks.md
//   node bench/report.ts --check    # exits 1 when docs/benchmarks.md is not what this would write
//
// --results DIR, --notes DIR and --out FILE point it elsewhere (the tests use them).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parseResults, ResultsFileError, renderReport } from './lib/render-report.ts';
import { RESULTS_DIR } from './lib/results.ts';

const ROOT = join(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    results: { type: 'string', default: RESULTS_DIR },
    notes: { type: 'string', default: join(import.meta.dirname, 'notes') },
    out: { type: 'string', default: join(ROOT, 'docs', 'benchmarks.md') },
  },
});

const shown = (path: string) => relative(process.cwd(), path) || path;

function readResults(dir: string) {
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
  return files.sort().map((name) => {
    const file = join(dir, name);
    const results = parseResults(readFileSync(file, 'utf8'), shown(file));
    if (`${results.benchmark}.json` !== name)
      throw new ResultsFileError(shown(file), `"benchmark" is "${results.benchmark}", not the file's name`);
    return results;
  });
}

function readNotes(dir: string): Map<string, string> {
  const notes = new Map<string, string>();
  if (!existsSync(dir)) return notes;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.md')))
    notes.set(name.slice(0, -'.md'.length), readFileSync(join(dir, name), 'utf8'));
  return notes;
}

/** The first line where the two texts differ, for the check's hint. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const line = want.findIndex((text, i) => text !== got[i]);
  const at = line === -1 ? want.length : line;
  return `line ${at + 1}: expected ${JSON.stringify(want[at] ?? '<end of file>')}, found ${JSON.stringify(got[at] ?? '<end of file>')}`;
}

try {
  const report = renderReport(readResults(values.results), readNotes(values.notes));
  if (values.check) {
    const current = existsSync(values.out) ? readFileSync(values.out, 'utf8') : '';
    if (current !== report) {
      console.error(
        `${shown(values.out)} is not what bench/report.ts generates from ${shown(values.results)}/*.json ` +
          `(${firstDifference(report, current)}).\n` +
          'Do not edit it by hand: change a benchmark or its note in bench/notes/, then run `pnpm bench:report` and commit the result.',
      );
      process.exit(1);
    }
    console.log(`${shown(values.out)} is up to date`);
  } else {
    writeFileSync(values.out, report);
    console.log(`wrote ${shown(values.out)}`);
  }
} catch (error) {
  if (!(error instanceof ResultsFileError)) throw error;
  console.error(error.message);
  process.exit(1);
}

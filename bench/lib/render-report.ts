// docs/benchmarks.md from the benchmarks' results files and their "Reading the figures" notes: parsing with
// errors that name the file, and rendering that depends on nothing but its input (the check compares bytes).
import type { BenchmarkResults, Machine, ResultRow } from './results.ts';

/** The order of the sections; a results file not listed here follows them, by name. */
export const SECTION_ORDER = [
  'auth-verify',
  'echo',
  'client-credentials',
  'introspection',
  'sign-in',
  'gateway',
  'kline-ingest',
  'kline-klines',
  'kline-ws-latency',
  'flow-engine',
];

export class ResultsFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ResultsFileError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumberOrNull = (value: unknown) =>
  value === null || (typeof value === 'number' && Number.isFinite(value));

function expect(file: string, ok: boolean, what: string): void {
  if (!ok) throw new ResultsFileError(file, `${what} (see BenchmarkResults in bench/lib/results.ts)`);
}

function checkMachine(file: string, machine: unknown): asserts machine is Machine {
  expect(file, isObject(machine), '"machine" must be an object');
  const m = machine as Json;
  expect(file, typeof m.cores === 'number' && typeof m.usableCores === 'number', 'machine.cores missing');
  expect(
    file,
    typeof m.cpu === 'string' && typeof m.node === 'string',
    'machine.cpu or machine.node missing',
  );
  const load = m.loadAverage;
  expect(
    file,
    isObject(load) && ['1m', '5m', '15m'].every((k) => typeof load[k] === 'number'),
    'machine.loadAverage must hold numbers "1m", "5m" and "15m"',
  );
}

function checkRow(file: string, row: unknown, index: number): asserts row is ResultRow {
  const at = `rows[${index}]`;
  expect(file, isObject(row), `${at} must be an object`);
  const r = row as Json;
  expect(file, typeof r.metric === 'string' && r.metric !== '', `${at}.metric must be a non-empty string`);
  expect(file, typeof r.unit === 'string', `${at}.unit must be a string`);
  for (const key of ['ours', 'peer', 'ratio'])
    expect(file, isNumberOrNull(r[key]), `${at}.${key} must be a number or null`);
  expect(
    file,
    r.peerName === null || typeof r.peerName === 'string',
    `${at}.peerName must be a string or null`,
  );
  expect(file, r.better === 'higher' || r.better === 'lower', `${at}.better must be "higher" or "lower"`);
}

/** Parses and checks one results file's text; every error names `file`. */
export function parseResults(text: string, file: string): BenchmarkResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(file, `not valid JSON (${(error as Error).message})`);
  }
  expect(file, isObject(data), 'the file must hold one JSON object');
  const d = data as Json;
  for (const key of ['benchmark', 'title', 'description', 'command', 'date'])
    expect(file, typeof d[key] === 'string' && d[key] !== '', `"${key}" must be a non-empty string`);
  expect(file, !Number.isNaN(Date.parse(d.date as string)), '"date" must be an ISO 8601 date');
  checkMachine(file, d.machine);
  expect(file, isObject(d.parameters), '"parameters" must be an object');
  expect(file, Array.isArray(d.rows), '"rows" must be an array');
  (d.rows as unknown[]).forEach((row, index) => {
    checkRow(file, row, index);
  });
  expect(
    file,
    Array.isArray(d.notes) && (d.notes as unknown[]).every((note) => typeof note === 'string'),
    '"notes" must be an array of strings',
  );
  return d as unknown as BenchmarkResults;
}

/** A figure as the tables show it: thousands separated, fewer decimals the larger it is; `–` when missing. */
export function formatFigure(value: number | null): string {
  if (value === null) return '–';
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) || abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const [whole = '', fraction] = value.toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

export const formatRatio = (ratio: number | null) => (ratio === null ? '–' : `${ratio.toFixed(2)}×`);

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderTable(rows: readonly ResultRow[]): string {
  const lines = [
    '| Metric | Unit | Ours | Compared with | Its figure | Ours / it | Better |',
    '|---|---|---:|---|---:|---:|---|',
  ];
  for (const r of rows) {
    const cells = [
      r.metric,
      r.unit,
      formatFigure(r.ours),
      r.peerName ?? '–',
      formatFigure(r.peer),
      formatRatio(r.ratio),
      r.better,
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

function renderMachine(date: string, machine: Machine): string {
  const cores =
    machine.usableCores === machine.cores
      ? `${machine.cores} cores`
      : `${machine.cores} cores (${machine.usableCores} usable)`;
  const load = machine.loadAverage;
  return (
    `Run ${date} on ${cores}, ${machine.cpu}, Node ${machine.node}; ` +
    `load average at the start ${load['1m']} / ${load['5m']} / ${load['15m']} (1 / 5 / 15 min).`
  );
}

const renderParameters = (parameters: BenchmarkResults['parameters']) =>
  Object.entries(parameters)
    .map(([key, value]) => `${key} \`${String(value)}\``)
    .join(', ');

/** One benchmark's section; `notes` is its "Reading the figures" Markdown, if it has one. */
export function renderSection(results: BenchmarkResults, notes?: string): string {
  const parts = [
    `## ${results.title}`,
    results.description.trim(),
    [
      renderMachine(results.date, results.machine),
      `Parameters: ${renderParameters(results.parameters) || 'none'}.`,
      `Reproduce: \`${results.command}\``,
    ].join('\\\n'),
    renderTable(results.rows),
  ];
  if (results.notes.length > 0) parts.push(results.notes.map((note) => `- ${note}`).join('\n'));
  if (notes?.trim()) parts.push(`### Reading the figures\n\n${notes.trim()}`);
  return parts.join('\n\n');
}

export function sortResults(all: readonly BenchmarkResults[]): BenchmarkResults[] {
  const rank = (name: string) => {
    const index = SECTION_ORDER.indexOf(name);
    return index === -1 ? SECTION_ORDER.length : index;
  };
  return [...all].sort(
    (a, b) => rank(a.benchmark) - rank(b.benchmark) || a.benchmark.localeCompare(b.benchmark, 'en'),
  );
}

const HEADER = `# Benchmarks

<!-- Generated by \`pnpm bench:report\` (bench/report.ts) from bench/results/*.json and bench/notes/*.md.
     Do not edit: a test fails when this file differs from what the script generates. -->

Generated by \`pnpm bench:report\` from the results each benchmark writes to \`bench/results/\`
(\`pnpm bench\` runs them all, then this report; see [bench/README.md](../bench/README.md)). Each table sets
our figure beside a peer measured in the same run on the same machine, or beside a reference or a target,
as a ratio. The machine may be shared and slower one hour than the next: compare the ratios, which come from
one run, rather than absolute figures across sections.`;

/** The whole of docs/benchmarks.md; `notes` maps a benchmark name to its "Reading the figures" Markdown. */
export function renderReport(all: readonly BenchmarkResults[], notes: ReadonlyMap<string, string>): string {
  const sorted = sortResults(all);
  const contents = sorted
    .map((r) => `- [${r.title}](#${anchor(r.title)}) (\`bench/results/${r.benchmark}.json\`)`)
    .join('\n');
  const sections = sorted.map((r) => renderSection(r, notes.get(r.benchmark)));
  return `${[HEADER, contents, ...sections].join('\n\n')}\n`;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

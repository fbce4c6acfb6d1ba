// The results file every benchmark writes beside the table it prints: bench/results/<benchmark>.json,
// overwritten by each run. bench/report.ts renders all of them into docs/benchmarks.md, so the figures there
// always come from a run, never from a hand edit.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(import.meta.dirname, '..', 'results');

/** Which direction of a metric is the good one: throughput is `higher`, latency, CPU and memory `lower`. */
export type Better = 'higher' | 'lower';

/** One measured figure of ours beside the figure it is compared with (a peer, a reference or a target). */
export interface ResultRow {
  metric: string;
  unit: string;
  ours: number | null;
  /** What `peer` is: a peer measured in the same run, a reference, a target or a published figure. */
  peerName: string | null;
  peer: number | null;
  /** ours / peer, or null when either is missing. */
  ratio: number | null;
  better: Better;
}

export interface Machine {
  cores: number;
  /** Cores this process may use (fewer than `cores` under taskset). */
  usableCores: number;
  cpu: string;
  node: string;
  /** The 1, 5 and 15 minute load averages when the run started: the machine is shared. */
  loadAverage: { '1m': number; '5m': number; '15m': number };
}

export interface BenchmarkResults {
  /** The file name without `.json`, e.g. `echo` or `kline-ingest`. */
  benchmark: string;
  title: string;
  /** What it measures and against which peer, one paragraph of Markdown. */
  description: string;
  /** The command that reproduces this run, flags included. */
  command: string;
  /** ISO 8601, when the run started. */
  date: string;
  machine: Machine;
  parameters: Record<string, string | number | boolean>;
  rows: ResultRow[];
  /** Facts of this run that are not a row: targets met or not, failures, what could not be measured. */
  notes: string[];
}

export interface RunStart {
  date: string;
  machine: Machine;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The date and machine at the start of a run; call it before measuring, for the load average of that moment. */
export function startRun(): RunStart {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return {
    date: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      usableCores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
      node: process.version,
      loadAverage: { '1m': round(one, 2), '5m': round(five, 2), '15m': round(fifteen, 2) },
    },
  };
}

/** A row; `peer` is left out when nothing comparable exists. Figures are kept to three decimals. */
export function row(
  metric: string,
  unit: string,
  ours: number | null,
  peer?: { name: string; value: number | null },
  better: Better = 'higher',
): ResultRow {
  const finite = (value: number | null | undefined) =>
    value !== null && value !== undefined && Number.isFinite(value) ? round(value, 3) : null;
  const oursValue = finite(ours);
  const peerValue = finite(peer?.value);
  const ratio =
    oursValue !== null && peerValue !== null && peerValue !== 0 ? round(oursValue / peerValue, 3) : null;
  return { metric, unit, ours: oursValue, peerName: peer?.name ?? null, peer: peerValue, ratio, better };
}

/** Writes bench/results/<benchmark>.json (or into `dir`) and returns its path. */
export function writeResults(results: BenchmarkResults, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.benchmark}.json`);
  writeFileSync(file, `${formatJson(results)}\n`);
  console.error(`results written to ${file}`);
  return file;
}

const LINE_WIDTH = 110;

/**
 * JSON laid out as the repository's formatter (Biome) lays it out, so a fresh results file passes `pnpm lint`:
 * two-space indent, objects expanded, an array of plain values on one line when it fits.
 */
export function formatJson(value: unknown, indent = '', prefixLength = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (prefixLength + flat.length + 1 <= LINE_WIDTH) return flat;
    }
    const items = value.map((item) => inner + formatJson(item, inner, inner.length));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, item]) => {
    const head = `${inner}${JSON.stringify(key)}: `;
    return head + formatJson(item, inner, head.length);
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

// CSV downloads (RFC 4180: comma-separated, CRLF line ends, a cell with a comma, quote or line break in
// double quotes with its quotes doubled). Exports are opened in spreadsheets, which run a cell starting
// with = + - @ (or a tab or CR before one) as a formula: such text cells start with an apostrophe, which
// the spreadsheet shows as text and which a reader of the raw file can strip.

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(cells: readonly CsvValue[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The header line, then one line per row of each batch, as the batches arrive. */
export async function* csvLines(
  header: readonly string[],
  batches: AsyncIterable<ReadonlyArray<readonly CsvValue[]>>,
): AsyncGenerator<string> {
  yield csvRow(header);
  for await (const rows of batches) {
    if (rows.length > 0) yield rows.map(csvRow).join('');
  }
}

/**
 * The source with its first item already read: a refused query throws here, before the answer's status and
 * headers are sent, so it is still a problem+json error rather than a cut-off download.
 */
export async function primed<T>(source: AsyncGenerator<T>): Promise<AsyncIterable<T>> {
  const first = await source.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* source;
  })();
}

/**
 * Streams a CSV attachment. `filename` is a fixed ASCII name, so it needs no quoting rules beyond RFC 6266's
 * token form.
 */
export function sendCsv(
  reply: FastifyReply,
  filename: string,
  header: readonly string[],
  batches: AsyncIterable<ReadonlyArray<readonly CsvValue[]>>,
) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename=${filename}`)
    .send(Readable.from(csvLines(header, batches)));
}

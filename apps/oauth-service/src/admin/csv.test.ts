import { describe, expect, it } from 'vitest';
import { csvCell, csvLines, csvRow } from './csv.ts';

describe('CSV cells and rows (RFC 4180)', () => {
  it('writes plain values as they are, and null or undefined as an empty cell', () => {
    expect(csvCell('alice')).toBe('alice');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('quotes a cell holding a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvCell('Smith, Jane')).toBe('"Smith, Jane"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
  });

  it('prefixes with an apostrophe every text cell a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil.test","x")')).toBe('"\'=HYPERLINK(""http://evil.test"",""x"")"');
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe('"\'\r=1"');
    // Only at the start: a cell that merely contains the characters is data.
    expect(csvCell('a=b+c')).toBe('a=b+c');
  });

  it('ends every row with CRLF', () => {
    expect(csvRow(['id', 'name, full', null])).toBe('id,"name, full",\r\n');
  });

  it('streams a header, then every row of every batch', async () => {
    async function* batches() {
      yield [['1', 'a']];
      yield [];
      yield [['2', '=b']];
    }
    const lines: string[] = [];
    for await (const line of csvLines(['id', 'name'], batches())) lines.push(line);
    expect(lines.join('')).toBe("id,name\r\n1,a\r\n2,'=b\r\n");
  });
});

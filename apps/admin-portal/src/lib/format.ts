/** A timestamp for tables: ISO 8601 in UTC, minutes precision (the same for every viewer and in screenshots). */
export function when(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * CSV downloads of the statistics tables (issue 4: "CSV export of every table"), written with
 * csv-stringify's browser build (already the server's CSV writer), so quoting of names with
 * commas, quotes or line breaks is the library's, not ours.
 */
import { stringify } from 'csv-stringify/browser/esm/sync';

export type CsvCell = string | number | null;

/** The CSV text: a header row, then one row per record (null cells empty). */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return stringify([header, ...rows.map((r) => r.map((c) => (c === null ? '' : c)))], {
    record_delimiter: 'windows',
    // A bare line break inside a name must be quoted too, or spreadsheets split the row.
    quoted_match: /[\r\n]/,
  });
}

/** Offers `csv` as a file download named `name`. */
export function downloadCsv(name: string, csv: string): void {
  // A byte-order mark so spreadsheet programs read æ, ø and å as UTF-8.
  const url = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

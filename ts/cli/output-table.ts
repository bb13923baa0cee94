// SPDX-License-Identifier: Apache-2.0
/**
 * `--format table`, rendered while the result streams: a bordered grid with a row of column
 * names and a row of the plan's type names, `NULL` for nulls, then `Summary: N total rows`
 * (or `No data found`). Memory stays bounded: column widths come from the first rows
 * ({@link WIDTH_SAMPLE}, or the `maxRows` shown), and a later, wider cell widens only its
 * own line. With `maxRows` N, rows after the Nth are counted, not formatted, and
 * `... K more rows` says how many were left out.
 */

import { type DataType, type RecordBatch, type Schema, TimeUnit, Type } from 'apache-arrow';
import { type Cell, cellFormatter } from './output-cells.js';

/** Rows whose cells set the column widths when every row is shown. */
export const WIDTH_SAMPLE = 1000;

export interface TableOptions {
  /** The most rows to print; 0 prints all. */
  readonly maxRows: number;
  /**
   * The plan's schema lines (`name: Type`, as `explain` prints them), for type names the
   * boundary's plain types lose (`Timestamp(Millisecond, ...)`, `Utf8View`); else the
   * names are derived from the Arrow schema.
   */
  readonly planFields?: readonly string[] | null;
  /** The terminal's width: wider tables have their widest cells cut with `…`. */
  readonly maxWidth?: number;
}

/** Narrowest a column is cut to. */
const MIN_CUT = 3;

/** Column widths narrowed, widest first, until the table's lines fit in `maxWidth`. */
export function fitWidths(widths: readonly number[], maxWidth: number): number[] {
  const out = [...widths];
  const total = () => out.reduce((sum, w) => sum + w + 3, 1);
  while (total() > maxWidth) {
    let widest = -1;
    for (let i = 0; i < out.length; i++) {
      if ((out[i] ?? 0) > MIN_CUT && (widest < 0 || (out[i] ?? 0) > (out[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break;
    out[widest] = (out[widest] ?? 0) - 1;
  }
  return out;
}

/** `text` cut to `max` characters, its last one `…`. */
function cut(text: string, max: number): string {
  if (width(text) <= max) return text;
  return `${Array.from(text)
    .slice(0, max - 1)
    .join('')}…`;
}

const UNITS: Record<TimeUnit, string> = {
  [TimeUnit.SECOND]: 'Second',
  [TimeUnit.MILLISECOND]: 'Millisecond',
  [TimeUnit.MICROSECOND]: 'Microsecond',
  [TimeUnit.NANOSECOND]: 'Nanosecond',
};

/** arrow-rs's `Debug` name of an Arrow type, for the common types (else apache-arrow's). */
export function rustTypeName(type: DataType): string {
  const t = type as DataType & Record<string, unknown>;
  switch (type.typeId) {
    case Type.Null:
      return 'Null';
    case Type.Bool:
      return 'Boolean';
    case Type.Int:
      return `${t.isSigned ? 'Int' : 'UInt'}${t.bitWidth}`;
    case Type.Float:
      return `Float${[16, 32, 64][t.precision as number]}`;
    case Type.Utf8:
      return 'Utf8';
    case Type.LargeUtf8:
      return 'LargeUtf8';
    case Type.Binary:
      return 'Binary';
    case Type.Date:
      return t.unit === 0 ? 'Date32' : 'Date64';
    case Type.Timestamp: {
      const tz = t.timezone ? `Some("${t.timezone}")` : 'None';
      return `Timestamp(${UNITS[t.unit as TimeUnit]}, ${tz})`;
    }
    case Type.Decimal:
      return `Decimal${t.bitWidth}(${t.precision}, ${t.scale})`;
    default:
      return String(type);
  }
}

/** Length in characters (code points), as the engine measures cells. */
function width(text: string): number {
  let surrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) surrogates++;
  }
  return text.length - surrogates;
}

function headerRows(schema: Schema, planFields: readonly string[] | null | undefined): string[][] {
  const names = schema.fields.map((f) => f.name);
  const plan = planFields && planFields.length === names.length ? planFields : null;
  const types = schema.fields.map((f, i) => {
    const line = plan?.[i];
    const prefix = `${f.name}: `;
    return line?.startsWith(prefix) ? line.slice(prefix.length) : rustTypeName(f.type);
  });
  return [names, types];
}

class Grid {
  constructor(
    readonly widths: readonly number[],
    readonly cutting = false,
  ) {}

  static fit(rows: readonly string[][], columns: number, maxWidth?: number): Grid {
    const widths: number[] = new Array(columns).fill(0);
    for (const row of rows) {
      for (let i = 0; i < columns; i++) widths[i] = Math.max(widths[i] ?? 0, width(row[i] ?? ''));
    }
    return new Grid(maxWidth ? fitWidths(widths, maxWidth) : widths, maxWidth !== undefined);
  }

  border(): string {
    return `+${this.widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  }

  line(row: readonly string[]): string {
    const cells = row.map((text, i) => {
      const cell = this.cutting ? cut(text, this.widths[i] ?? 0) : text;
      const room = (this.widths[i] ?? 0) - width(cell);
      return ` ${cell}${room > 0 ? ' '.repeat(room) : ''} `;
    });
    return `|${cells.join('|')}|\n`;
  }
}

/** The rows `[from, to)` of a batch as cell texts. */
function formatRows(batch: RecordBatch, from: number, to: number, types: string[]): string[][] {
  const cells: Cell[] = batch.schema.fields.map((_, i) => {
    const data = batch.getChildAt(i)?.data[0];
    return data ? cellFormatter(data, types[i]) : () => '';
  });
  const rows: string[][] = [];
  for (let r = from; r < to; r++) rows.push(cells.map((cell) => cell(r)));
  return rows;
}

/** The table's text, chunk by chunk, as `batches` arrive. */
export async function* renderTable(
  batches: AsyncIterable<RecordBatch>,
  options: TableOptions,
): AsyncIterable<string> {
  const limit = options.maxRows > 0 ? options.maxRows : Number.POSITIVE_INFINITY;
  const sample = Math.min(limit, WIDTH_SAMPLE);
  let header: string[][] | null = null;
  let grid: Grid | null = null;
  let pending: string[][] = [];
  let total = 0;
  let shown = 0;
  const start = (): string => {
    const rows = header ?? [[], []];
    grid = Grid.fit([...rows, ...pending.slice(0, sample)], rows[0]?.length ?? 0, options.maxWidth);
    const text = [grid.border(), grid.line(rows[0] ?? []), grid.line(rows[1] ?? []), grid.border()];
    for (const row of pending) text.push(grid.line(row));
    shown += pending.length;
    pending = [];
    return text.join('');
  };
  for await (const batch of batches) {
    header ??= headerRows(batch.schema, options.planFields);
    const rows = batch.numRows;
    const wanted = Math.max(0, Math.min(rows, limit - shown - pending.length));
    total += rows;
    if (wanted === 0) continue;
    const formatted = formatRows(batch, 0, wanted, header[1] ?? []);
    if (grid === null) {
      pending.push(...formatted);
      if (pending.length >= sample) yield start();
    } else {
      const g: Grid = grid;
      shown += formatted.length;
      yield formatted.map((row) => g.line(row)).join('');
    }
  }
  if (total === 0) {
    yield 'No data found\n';
    return;
  }
  const head = grid === null ? start() : '';
  const g = grid as Grid | null;
  const more = total > shown ? `... ${total - shown} more rows (--max-rows 0 shows all)\n` : '';
  yield `${head}${g?.border() ?? ''}${more}Summary: ${total} total rows\n`;
}

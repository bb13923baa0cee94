// SPDX-License-Identifier: Apache-2.0
/**
 * Running a query for the CLI: choosing the output format and streaming it to stdout.
 * csv, json and Parquet are encoded by the engine batch by batch; `table` is rendered
 * here from Arrow batches (`output-table.ts`), so no format holds the whole result.
 */

import type { RecordBatch } from 'apache-arrow';
import { InvalidArgumentError, Option } from 'commander';
import { invalidArgument } from '../errors.js';
import type { OutputFormat } from '../native/engine.js';
import { byteLength, counted } from '../progress.js';
import type { PlanContext } from '../query/planner.js';
import type { TableSpec } from '../query/spec.js';
import type { CliContext } from './context.js';
import { nonNegativeInt } from './options.js';
import { writeAll } from './output.js';

export const DISPLAY_FORMATS = ['auto', 'raw', 'table', 'csv', 'json', 'parquet'] as const;
export type DisplayFormat = (typeof DISPLAY_FORMATS)[number];

export function formatOption(): Option {
  return new Option(
    '--format <format>',
    'output: auto (a table on a terminal, else the piped default), raw/parquet, table, csv, json (lines)',
  )
    .choices(DISPLAY_FORMATS)
    .default('auto');
}

/** Rows a table shows on a terminal unless `--max-rows` says otherwise. */
export const TERMINAL_MAX_ROWS = 40;

export function maxRowsOption(): Option {
  return new Option(
    '--max-rows <n>',
    `rows --format table prints, then "... N more rows" (0: all; default ${TERMINAL_MAX_ROWS} on a terminal, all when piped)`,
  ).argParser(nonNegativeInt);
}

/** `--max-rows`, else the default for where stdout goes. */
export function maxRows(chosen: number | undefined, isTTY: boolean | undefined): number {
  return chosen ?? (isTTY ? TERMINAL_MAX_ROWS : 0);
}

/** The seeds' spelling of --format. */
export function displayOption(): Option {
  return new Option('--display <format>', 'alias of --format').choices(DISPLAY_FORMATS).hideHelp();
}

export function outputFormat(
  chosen: DisplayFormat,
  isTTY: boolean | undefined,
  piped: OutputFormat,
): OutputFormat {
  switch (chosen) {
    case 'auto':
      return isTTY ? 'table' : piped;
    case 'raw':
    case 'parquet':
      return 'parquet';
    case 'table':
    case 'csv':
    case 'json':
      return chosen;
    default:
      throw invalidArgument(`unknown format ${chosen}`);
  }
}

/** Write chunks to stdout, honouring back-pressure; stops pulling them if stdout closes. */
export function writeOut(ctx: CliContext, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  return writeAll(ctx.io.stdout, chunks);
}

/** The planning context of the CLI: the pond if one is selected, else host URLs only. */
export async function planContext(
  ctx: CliContext,
  bindings?: Record<string, string>,
): Promise<PlanContext> {
  const hostOnly =
    !(ctx.globals.pond ?? ctx.io.env.POND) && (ctx.globals.hostmount ?? []).length === 0;
  const root = hostOnly ? null : await ctx.reader();
  const hostMounts = ctx.usesPond() ? [] : ctx.hostMountPoints();
  return {
    root,
    hostRoot: ctx.hostRoot(),
    cacheDir: root?.fs.persistence.cacheDir ?? null,
    ...(bindings ? { bindings } : {}),
    ...(hostMounts.length > 0 ? { hostMounts } : {}),
  };
}

export interface RunOptions {
  readonly format: OutputFormat;
  readonly explain: boolean;
  /** With `table`: the most rows to print (0: all). */
  readonly maxRows?: number;
  /** Cancel the statement with TIMEOUT after this many ms. */
  readonly timeoutMs?: number;
  /** Check large content against its BLAKE3 before scanning it (default true). */
  readonly verify?: boolean;
}

/** `--timeout SECONDS` and `--no-verify` of the commands that run queries. */
export function queryLimitOptions(): Option[] {
  return [
    new Option(
      '--timeout <seconds>',
      'cancel the statement after SECONDS (fails with TIMEOUT, exit status 8)',
    ).argParser(positiveSeconds),
    new Option(
      '--no-verify',
      'skip checking large content against its recorded BLAKE3 before the scan (pond fsck still does)',
    ),
  ];
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
}

/** The engine options of `--timeout` and `--no-verify`. */
export function queryLimits(opts: { timeout?: number; verify?: boolean }): {
  timeoutMs?: number;
  verify?: boolean;
} {
  return {
    ...(opts.timeout === undefined ? {} : { timeoutMs: Math.ceil(opts.timeout * 1000) }),
    ...(opts.verify === false ? { verify: false } : {}),
  };
}

/** The `name: Type` lines of the plan's schema, or null if it cannot be planned apart. */
async function planFields(
  sql: string,
  specs: Readonly<Record<string, TableSpec>>,
): Promise<string[] | null> {
  const { explain } = await import('../native/engine.js');
  try {
    const text = await explain(sql, specs);
    const schema = text.slice(0, text.indexOf('\nPlan:')).split('\n').slice(1);
    return schema.map((line) => line.replace(/^ {2}/, ''));
  } catch {
    return null;
  }
}

/** The record batches of a query, decoded from the engine's IPC chunks one at a time. */
async function* batches(chunks: AsyncIterable<Uint8Array>): AsyncIterable<RecordBatch> {
  const { decode } = await import('../native/ipc.js');
  for await (const chunk of chunks) yield* decode(chunk).batches;
}

/** A format reader's warning as a stderr line, without control characters (the text
 * names files, and a cached warning is read back from disk). */
export function warningLine(warning: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return `warning: ${warning.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}\n`;
}

export async function runQuery(
  ctx: CliContext,
  sql: string,
  plan: PlanContext,
  options: RunOptions,
  planned?: Record<string, TableSpec>,
): Promise<void> {
  const { planTables } = await import('../query/planner.js');
  const engine = await import('../native/engine.js');
  const specs = planned ?? (await planTables(sql, plan));
  const limits = {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.verify === undefined ? {} : { verify: options.verify }),
    onWarning: (warning: string) => ctx.err(warningLine(warning)),
  };
  if (options.explain) {
    const { explainText } = await import('../query/explain.js');
    ctx.out(await explainText(sql, specs, limits));
    return;
  }
  if (options.format !== 'table') {
    const bar = ctx.progress('query', 'bytes');
    try {
      const chunks = engine.query(sql, specs, { format: options.format, ...limits });
      await writeOut(ctx, counted(chunks, bar, byteLength));
    } finally {
      bar.done();
    }
    return;
  }
  const { renderTable } = await import('./output-table.js');
  const fields = await planFields(sql, specs);
  const bar = ctx.progress('query', 'rows');
  const rows = counted(
    batches(engine.query(sql, specs, { format: 'ipc', ...limits })),
    bar,
    (batch) => batch.numRows,
  );
  try {
    await writeAll(
      ctx.io.stdout,
      renderTable(rows, {
        maxRows: options.maxRows ?? 0,
        planFields: fields,
        ...(ctx.io.stdout.isTTY && ctx.io.stdout.columns
          ? { maxWidth: ctx.io.stdout.columns }
          : {}),
      }),
    );
  } finally {
    bar.done();
  }
}

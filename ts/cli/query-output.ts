// SPDX-License-Identifier: Apache-2.0
/** Running a query for the CLI: choosing the output format and streaming it to stdout. */

import { Option } from 'commander';
import { invalidArgument } from '../errors.js';
import type { OutputFormat } from '../native/engine.js';
import type { PlanContext } from '../query/planner.js';
import type { TableSpec } from '../query/spec.js';
import type { CliContext } from './context.js';

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

/** Write chunks to stdout, honouring back-pressure. */
export async function writeOut(ctx: CliContext, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of chunks) {
    if (!ctx.io.stdout.write(chunk)) {
      await new Promise((resolve) => ctx.io.stdout.once('drain', resolve));
    }
  }
}

/** The planning context of the CLI: the pond if one is selected, else host URLs only. */
export async function planContext(
  ctx: CliContext,
  bindings?: Record<string, string>,
): Promise<PlanContext> {
  const hostOnly =
    !(ctx.globals.pond ?? ctx.io.env.POND) && (ctx.globals.hostmount ?? []).length === 0;
  const root = hostOnly ? null : await ctx.reader();
  return {
    root,
    hostRoot: ctx.hostRoot(),
    cacheDir: root?.fs.persistence.cacheDir ?? null,
    ...(bindings ? { bindings } : {}),
  };
}

export async function runQuery(
  ctx: CliContext,
  sql: string,
  plan: PlanContext,
  options: { format: OutputFormat; explain: boolean },
  planned?: Record<string, TableSpec>,
): Promise<void> {
  const { planTables } = await import('../query/planner.js');
  const engine = await import('../native/engine.js');
  const specs = planned ?? (await planTables(sql, plan));
  if (options.explain) {
    ctx.out(await engine.explain(sql, specs));
    return;
  }
  await writeOut(ctx, engine.query(sql, specs, { format: options.format }));
}

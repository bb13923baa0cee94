// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { asOfOption } from '../options.js';
import {
  type DisplayFormat,
  displayOption,
  formatOption,
  maxRows,
  maxRowsOption,
  outputFormat,
  planContext,
  queryLimitOptions,
  queryLimits,
  runQuery,
} from '../query-output.js';

export function register(program: Command, ctx: CliContext): void {
  const command = program
    .command('sql')
    .description(
      [
        'run SQL over pond data (DataFusion dialect)',
        '',
        "tables are pond paths or globs in quotes ('/sensors/*.series'), pond format URLs",
        "('csv:///in/r.csv') and host URLs ('host+csv:///tmp/x.csv', no pond needed);",
        "information_schema is available. Piped output defaults to CSV. '/path@vK' reads",
        "version K of a table or series alone; 'pond:///transactions' and 'pond:///versions'",
        "are the pond's own history; --as-of runs the query over the pond as it was.",
        '',
        'formats: csv, jsonl, oteljson, jsonlogs, weblog, excelhtml, each with +gzip, +zstd',
        "or +bzip2 ('weblog+gzip:///logs/*.log.gz'); lines a format cannot read are skipped",
        "and counted in a warning on stderr, or fail the query with '?strict=true'.",
      ].join('\n'),
    )
    .argument('<query>', 'the SQL statement')
    .addOption(formatOption())
    .addOption(displayOption())
    .addOption(maxRowsOption());
  for (const option of queryLimitOptions()) command.addOption(option);
  command
    .option(
      '--explain',
      'instead of running: the SQL of every view it expands, the schema, the plan, and the versions and row groups skipped',
    )
    .addOption(asOfOption())
    .action(
      async (
        query: string,
        opts: {
          asOf?: string;
          format: DisplayFormat;
          display?: DisplayFormat;
          explain?: boolean;
          maxRows?: number;
          timeout?: number;
          verify?: boolean;
        },
      ) => {
        ctx.asOf = opts.asOf;
        const isTTY = ctx.io.stdout.isTTY;
        const format = outputFormat(opts.display ?? opts.format, isTTY, 'csv');
        await runQuery(ctx, query, await planContext(ctx), {
          format,
          explain: opts.explain ?? false,
          maxRows: maxRows(opts.maxRows, isTTY),
          ...queryLimits(opts),
        });
      },
    );
}

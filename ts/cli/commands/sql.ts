// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
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
        'information_schema is available. Piped output defaults to CSV.',
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
      'print the schema and physical plan (with versions and row groups skipped) instead of running',
    )
    .action(
      async (
        query: string,
        opts: {
          format: DisplayFormat;
          display?: DisplayFormat;
          explain?: boolean;
          maxRows?: number;
          timeout?: number;
          verify?: boolean;
        },
      ) => {
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

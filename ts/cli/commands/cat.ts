// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { invalidArgument } from '../../errors.js';
import { isTableType } from '../../tinyfs/entry-type.js';
import { readContent } from '../../tinyfs/node.js';
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
  writeOut,
} from '../query-output.js';

interface CatOptions {
  format: DisplayFormat;
  display?: DisplayFormat;
  sql?: string;
  query?: string;
  explain?: boolean;
  maxRows?: number;
  timeout?: number;
  verify?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  const command = program
    .command('cat')
    .description(
      [
        'write a pond file or a URL to stdout',
        '',
        'raw data: the bytes of the newest version (raw series: every version, oldest first).',
        'tables, series and format URLs (csv:///p, host+csv:///p...) are queried as table',
        '"source": --sql picks what to show (default SELECT * FROM source); piped output',
        'defaults to Parquet bytes, a terminal gets a table.',
      ].join('\n'),
    )
    .argument('<path>', 'pond path, or a URL such as csv:///in/r.csv or host+csv:///tmp/r.csv')
    .addOption(formatOption())
    .addOption(displayOption())
    .addOption(maxRowsOption());
  for (const option of queryLimitOptions()) command.addOption(option);
  command
    .option('--sql <query>', 'SQL over table "source"')
    .option('--query <query>', 'alias of --sql')
    .option('--explain', 'print the schema and physical plan instead of running')
    .action(async (path: string, opts: CatOptions) => {
      const { isUrl, parseUrl } = await import('../../query/url.js');
      const sql = opts.sql ?? opts.query;
      const chosen = opts.display ?? opts.format;
      const raw =
        !isUrl(path) ||
        (parseUrl(path).host && parseUrl(path).format === 'file' && !parseUrl(path).cast);
      if (raw) {
        const target = await ctx.target(path);
        const np = await (await ctx.reader()).file(target);
        if (!isTableType(np.node.ref.entryType)) {
          if (sql || opts.explain || !['auto', 'raw'].includes(chosen)) {
            throw invalidArgument(
              `${np.path} is raw data; to query it use a format URL, e.g. csv://${np.path}`,
              np.path,
            );
          }
          await writeOut(ctx, readContent(np.node));
          return;
        }
      }
      const plan = await planContext(ctx, { source: path });
      const format = outputFormat(chosen, ctx.io.stdout.isTTY, 'parquet');
      const run = {
        format,
        explain: opts.explain ?? false,
        maxRows: maxRows(opts.maxRows, ctx.io.stdout.isTTY),
        ...queryLimits(opts),
      };
      if (sql !== undefined) {
        await runQuery(ctx, sql, plan, run);
        return;
      }
      // The whole table, in the order its spec declares (views do not keep ORDER BY);
      // planned once, then run.
      const { planTables } = await import('../../query/planner.js');
      const { selectAll } = await import('../../query/spec.js');
      const specs = await planTables('SELECT * FROM source', plan);
      const whole = selectAll('source', specs.source);
      await runQuery(ctx, whole, plan, run, specs);
    });
}

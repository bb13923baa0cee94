// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { invalidArgument } from '../../errors.js';
import { isTableType } from '../../tinyfs/entry-type.js';
import { readContent } from '../../tinyfs/node.js';
import type { CliContext } from '../context.js';
import { asOfOption, positiveInt } from '../options.js';
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
  asOf?: string;
  version?: number;
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
        '--version K shows version K instead (of a table or series: that version alone);',
        '--as-of shows the file as it was after a transaction or at a time.',
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
    .option(
      '--explain',
      'instead of running: the SQL of every view it expands, the schema, the plan, and the versions and row groups skipped',
    )
    .option('--version <k>', 'show stored version K (see pond history PATH)', positiveInt)
    .addOption(asOfOption())
    .action(async (path: string, opts: CatOptions) => {
      ctx.asOf = opts.asOf;
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
          const version = opts.version;
          await writeOut(
            ctx,
            version === undefined ? readContent(np.node) : np.node.file.read(version),
          );
          return;
        }
      }
      const source = opts.version === undefined ? path : `${path}@v${opts.version}`;
      const plan = await planContext(ctx, { source });
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

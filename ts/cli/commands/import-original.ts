// SPDX-License-Identifier: Apache-2.0
/** `pond import-original SRC DEST`: convert a pond written by the original DuckPond. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('import-original')
    .description(
      [
        'convert a pond written by the original DuckPond (Watertown) into a new pond',
        '',
        'pond reads such a pond as it is (list, cat, describe, sql, copy out, log) but never',
        'writes it. This makes a pond of its own at DEST (a missing or empty directory) with',
        'the same paths, node ids, versions and their times, content hashes and transaction',
        "log; SRC is not changed. Not carried over: the original's reserved nodes",
        '(.pond-node-index, .pond-commit-log), versions a series collapse superseded, and its',
        'settings. See docs/compat.md.',
      ].join('\n'),
    )
    .argument('<src>', 'the original pond directory')
    .argument('<dest>', 'the new pond directory (missing or empty)')
    .action(async (src: string, dest: string) => {
      const { importOriginal } = await import('../../compat/import.js');
      const { userCacheHome } = await import('../../compat/pond.js');
      const report = await importOriginal(resolve(ctx.io.cwd, src), resolve(ctx.io.cwd, dest), {
        cacheHome: userCacheHome(ctx.io.env),
        ...(ctx.io.clock ? { clock: ctx.io.clock } : {}),
      });
      ctx.err(
        `Imported pond ${report.pondId} from ${report.source} into ${report.dest}: ${report.transactions} transactions (${report.commits} commits, ${report.rows} rows, ${report.largeFiles} large files)\n`,
      );
    });
}

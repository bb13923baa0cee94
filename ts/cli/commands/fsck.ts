// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('fsck')
    .description(
      [
        'check the pond and print its root checksum',
        '',
        'Validates every oplog row (ids, hashes, names), re-hashes every inline content and',
        'large file against its recorded BLAKE3, checks directory snapshots, and checks the',
        'control log against the data table (every COMMITTED transaction has its rows in the',
        'data table). The root checksum covers every version of every file and directory.',
        'Any problem fails with CORRUPT.',
      ].join('\n'),
    )
    .option('--quick', 'check large files by presence and size only')
    .option('--verbose', 'print every checked version')
    .action(async (opts: { quick?: boolean; verbose?: boolean }) => {
      const pond = await ctx.open();
      const bar = ctx.progress('fsck', 'checked');
      const report = await pond
        .fsck({
          quick: opts.quick ?? false,
          progress: (line: string) => {
            bar.add(1);
            if (opts.verbose) ctx.out(`${line}\n`);
          },
        })
        .finally(() => bar.done());
      for (const p of report.problems) ctx.out(`problem: ${p.message}\n`);
      ctx.out(
        `Checked ${report.rows} rows: ${report.inline} inline contents, ${report.large} large files, ${report.directories} directories\n`,
      );
      ctx.out(`Root checksum: ${report.rootChecksum}\n`);
      if (report.problems.length === 0) {
        ctx.out('Result: OK\n');
        return;
      }
      ctx.out(`Result: ${report.problems.length} problem(s)\n`);
      throw new PondError(
        ErrorCode.CORRUPT,
        `fsck found ${report.problems.length} problem(s): ${report.problems[0]?.message}`,
        { path: pond.path },
      );
    });
}

// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('fsck')
    .description(
      're-hash every inline content and large file against its recorded BLAKE3, check directory snapshots, and print the root checksum',
    )
    .option('--quick', 'check large files by presence and size only')
    .option('--verbose', 'print every checked version')
    .action(async (opts: { quick?: boolean; verbose?: boolean }) => {
      const { fsck } = await import('../../steward/fsck.js');
      const steward = await ctx.open();
      const report = await fsck(steward.store, {
        quick: opts.quick ?? false,
        ...(opts.verbose ? { progress: (line: string) => ctx.out(`${line}\n`) } : {}),
      });
      for (const p of report.problems) ctx.out(`problem: ${p}\n`);
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
        ErrorCode.INVALID_DATA,
        `fsck found ${report.problems.length} problem(s): ${report.problems[0]}`,
      );
    });
}

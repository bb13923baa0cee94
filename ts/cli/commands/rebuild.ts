// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rebuild')
    .description(
      'drop the cached rollups of a temporal-reduce node, so its next read recomputes every bucket (needed after data arrives for sealed buckets)',
    )
    .argument('<path>', 'the temporal-reduce node')
    .action(async (path: string) => {
      const { path: node, dropped } = await (await ctx.open()).rebuild(path);
      ctx.err(`dropped ${dropped} cached rollup file(s) of ${node}\n`);
    });
}

// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a new pond at $POND (or --pond): an empty root directory as transaction 1')
    .option('--birthplace <label>', 'a label recorded with the pond identity (e.g. the site name)')
    .action(async (opts: { birthplace?: string }) => {
      const pond = await ctx.create(opts.birthplace ? { birthplace: opts.birthplace } : {});
      ctx.err(`Initialized pond ${pond.id} at ${pond.path}\n`);
    });
}

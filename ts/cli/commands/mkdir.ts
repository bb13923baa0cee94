// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('mkdir')
    .description('create a directory in the pond')
    .argument('<path>', 'pond path of the new directory')
    .option('-p, --parents', 'create missing parents; no error if the directory exists')
    .action(async (path: string, opts: { parents?: boolean }) => {
      await ctx.write((root) => root.mkdir(path, { parents: opts.parents ?? false }));
    });
}

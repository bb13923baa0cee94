// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { readContent } from '../../tinyfs/node.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('cat')
    .description(
      'write a pond file to stdout: the newest version, or for raw series every version oldest first',
    )
    .argument('<path>', 'pond path of a file')
    .action(async (path: string) => {
      const root = await ctx.reader();
      const np = await root.file(path);
      for await (const chunk of readContent(np.node)) {
        if (!ctx.io.stdout.write(chunk)) {
          await new Promise((resolve) => ctx.io.stdout.once('drain', resolve));
        }
      }
    });
}

// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'build a sample pond in DIR (default ./demo-pond) showing what pond can do, and print a look at it',
    )
    .argument('[dir]', 'where to create the demo pond (must not exist or be empty)', 'demo-pond')
    .action(async (dir: string) => {
      const { buildDemo } = await import('../demo.js');
      ctx.out(await buildDemo(dir, ctx.io.cwd));
    });
}

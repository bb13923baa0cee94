// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { listLine } from '../format.js';
import { listPattern, selectNodes } from '../select.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .alias('ls')
    .description(
      'list pond entries matching a glob, sorted by path (no argument: everything; "/": the root; "dir/": its children; "/dir": the entry itself)',
    )
    .argument('[pattern]', 'glob with *, **, ? and [...]')
    .option('-l, --long', 'show type names instead of markers')
    .option('-a, --all', 'include entries whose names start with "."')
    .action(async (pattern: string | undefined, opts: { long?: boolean; all?: boolean }) => {
      const { entryOf } = await import('../../pond.js');
      const steward = await ctx.open();
      const root = await steward.reader();
      const nodes = await selectNodes(root, listPattern(pattern), opts.all ?? false);
      const entries = await Promise.all(nodes.map((np) => entryOf(root, np)));
      ctx.out(entries.map((e) => listLine(e, steward.pondId, opts.long ?? false)).join(''));
    });
}

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
      const target = pattern === undefined ? undefined : await ctx.target(pattern);
      const root = await ctx.reader();
      const nodes = await selectNodes(root, listPattern(target), opts.all ?? false);
      const entries = await Promise.all(nodes.map((np) => entryOf(root, np)));
      const pondId = root.fs.persistence.pondId;
      ctx.out(entries.map((e) => listLine(e, pondId, opts.long ?? false)).join(''));
    });
}

// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { shellJoin } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('recover')
    .description(
      [
        'close transactions a crash left INCOMPLETE',
        '',
        'Takes the write lock (so a live writer is never mistaken for a dead one), then',
        'for each transaction that began and never ended: if its commit reached the oplog',
        '(its commit metadata, or its rows, which carry its txn_seq and survive compaction)',
        'it is recorded COMMITTED, otherwise COMPLETED (nothing of it was written; a crash',
        'never leaves part of a transaction). Prints what it did.',
      ].join('\n'),
    )
    .action(async () => {
      const done = await (await ctx.open()).recover(ctx.writeOptions());
      if (done.length === 0) {
        ctx.out('Nothing to recover: every transaction ended.\n');
        return;
      }
      for (const r of done) {
        const what =
          r.outcome === 'completed'
            ? 'never committed, nothing was written; recorded COMPLETED'
            : r.dataVersion === null
              ? 'committed (its rows are in the oplog); recorded COMMITTED'
              : `committed as data v${r.dataVersion}; recorded COMMITTED`;
        ctx.out(`txn ${r.txn.seq} (pond ${shellJoin(r.txn.args)}): ${what}\n`);
      }
      ctx.out(`Recovered ${done.length} interrupted transaction(s).\n`);
    });
}

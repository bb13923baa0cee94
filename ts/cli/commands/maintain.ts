// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { MaintainReport } from '../../native/store.js';
import type { CliContext } from '../context.js';
import { bytes } from '../format.js';
import { nonNegativeSeconds } from '../options.js';

function line(name: string, r: MaintainReport): string {
  const parts = [
    `version ${r.before.version} -> ${r.after.version}`,
    `files ${r.before.files} -> ${r.after.files}`,
    `${bytes(r.before.bytes)} -> ${bytes(r.after.bytes)}`,
    `commit files ${r.before.logFiles} -> ${r.after.logFiles}`,
  ];
  if (r.filesCompacted > 0) {
    parts.push(
      `compacted ${r.filesCompacted} files into ${r.filesWritten} in ${r.partitionsCompacted} partitions`,
    );
  }
  if (r.filesVacuumed > 0) parts.push(`vacuumed ${r.filesVacuumed}`);
  if (r.largeRemoved > 0) {
    parts.push(
      `removed ${r.largeRemoved} unreferenced large files (${bytes(r.largeBytesRemoved)})`,
    );
  }
  return `${name}: ${parts.join(', ')}; checkpoint at v${r.after.checkpointVersion ?? '-'}\n`;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('maintain')
    .description(
      [
        'checkpoint, clean the commit log, vacuum, and with --compact merge small files',
        '',
        'Under the write lock, for the oplog ($POND/data) and the control table: merge each',
        "partition's small files into one (--compact), delete the files that replaced,",
        'write a Delta checkpoint and remove the commit files before it, and delete large',
        'content files no row references (left by aborted transactions). No row changes:',
        'queries and the fsck root checksum are the same after, and --as-of reaches every',
        'transaction as before (it reads rows by transaction, not Delta versions).',
        '',
        '--prune-removed also deletes the large content only removed nodes reference: the',
        'one way history is given up. Those nodes still appear --as-of earlier transactions,',
        'but reading their pruned versions fails; pond fsck knows they were pruned.',
        '',
        'Readers take no lock, so replaced files and commit files younger than',
        '--retention (default 3600 s) are kept: a query that started before maintain',
        'still finds every file of the version it reads. --retention 0 reclaims all now.',
      ].join('\n'),
    )
    .option('--compact', "merge each partition's small files into one")
    .option('--prune-removed', 'delete the large content of removed nodes (gives up that history)')
    .option(
      '--retention <seconds>',
      'keep replaced files and commit files younger than this (default 3600)',
      nonNegativeSeconds,
    )
    .action(async (opts: { compact?: boolean; retention?: number; pruneRemoved?: boolean }) => {
      const pond = await ctx.open();
      const bar = ctx.progress('maintain', 'tables');
      const result = await pond
        .maintain({
          ...ctx.writeOptions(),
          compact: opts.compact ?? false,
          pruneRemoved: opts.pruneRemoved ?? false,
          ...(opts.retention === undefined ? {} : { retentionMs: opts.retention * 1000 }),
          onTable: () => bar.add(1),
        })
        .finally(() => bar.done());
      ctx.out(line('data', result.data));
      ctx.out(line('control', result.control));
      if (opts.pruneRemoved) ctx.out(`pruned: ${result.pruned} large files of removed nodes\n`);
    });
}

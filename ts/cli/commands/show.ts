// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import type { Command } from 'commander';
import type { TableStats } from '../../native/store.js';
import type { CliContext } from '../context.js';
import { bytes, shellJoin, utcTime } from '../format.js';
import { positiveInt } from '../options.js';

export function statsLine(name: string, dir: string, s: TableStats): string {
  if (s.version < 0) return `${name} (${dir}): not created yet\n`;
  const checkpoint =
    s.checkpointVersion === null || s.checkpointVersion === undefined
      ? 'no checkpoint'
      : `checkpoint v${s.checkpointVersion}`;
  return `${name} (${dir}): version ${s.version}, ${s.files} files, ${bytes(s.bytes)}, ${s.partitions} partitions, ${s.logFiles} commit files, ${checkpoint}\n`;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('show')
    .description(
      [
        'Delta-level statistics of the oplog and control table, and one line per oplog commit',
        '',
        'For each table: version, active files, bytes, partitions, commit files in',
        '_delta_log and the newest checkpoint. Then each oplog commit still in the log',
        '(pond maintain removes those before its checkpoint): version, time (UTC),',
        'Delta operation, and the pond transaction it carried.',
      ].join('\n'),
    )
    .option('--limit <n>', 'only the newest N commits', positiveInt)
    .action(async (opts: { limit?: number }) => {
      const { tableStats } = await import('../../native/store.js');
      const steward = await ctx.open();
      const pond = steward.store.path;
      ctx.out(statsLine('Data', join(pond, 'data'), await tableStats(join(pond, 'data'))));
      ctx.out(statsLine('Control', join(pond, 'control'), await tableStats(join(pond, 'control'))));
      ctx.out('Commits:\n');
      for (const c of await steward.store.history(opts.limit)) {
        let what = '';
        try {
          const meta = c.meta ? (JSON.parse(c.meta) as { txn_seq?: number; args?: string[] }) : {};
          what = meta.args ? `txn ${meta.txn_seq}  pond ${shellJoin(meta.args)}` : 'maintenance';
        } catch {
          what = '';
        }
        const time = c.timestamp ? utcTime(c.timestamp) : '-'.padEnd(19);
        ctx.out(
          `  v${String(c.version).padEnd(6)} ${time}  ${(c.operation ?? '-').padEnd(10)} ${what}\n`,
        );
      }
    });
}

// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CommitRecord, TableStats } from '../../native/store.js';
import type { CliContext } from '../context.js';
import { bytes, shellJoin, utcTime } from '../format.js';
import { type MetadataFormat, metadataFormatOption, positiveInt } from '../options.js';
import { jsonLine, writeAll } from '../output.js';
import { isoTime } from '../output-json.js';

export function statsLine(name: string, dir: string, s: TableStats): string {
  if (s.version < 0) return `${name} (${dir}): not created yet\n`;
  const checkpoint =
    s.checkpointVersion === null || s.checkpointVersion === undefined
      ? 'no checkpoint'
      : `checkpoint v${s.checkpointVersion}`;
  return `${name} (${dir}): version ${s.version}, ${s.files} files, ${bytes(s.bytes)}, ${s.partitions} partitions, ${s.logFiles} commit files, ${checkpoint}\n`;
}

/** The pond transaction a commit carried, from its commit metadata (null: maintenance). */
function commitTxn(c: CommitRecord): { seq: number | null; args: string[] } | null {
  try {
    const meta = c.meta ? (JSON.parse(c.meta) as { txn_seq?: number; args?: string[] }) : {};
    return meta.args ? { seq: meta.txn_seq ?? null, args: meta.args } : null;
  } catch {
    return null;
  }
}

function commitLine(c: CommitRecord): string {
  const txn = commitTxn(c);
  const what = txn ? `txn ${txn.seq}  pond ${shellJoin(txn.args)}` : 'maintenance';
  const time = c.timestamp ? utcTime(c.timestamp) : '-'.padEnd(19);
  return `  v${String(c.version).padEnd(6)} ${time}  ${(c.operation ?? '-').padEnd(10)} ${what}\n`;
}

function tableRecord(name: string, dir: string, s: TableStats): Record<string, unknown> {
  const created = s.version >= 0;
  return {
    record: 'table',
    name,
    dir,
    version: created ? s.version : null,
    files: created ? s.files : null,
    bytes: created ? s.bytes : null,
    partitions: created ? s.partitions : null,
    log_files: created ? s.logFiles : null,
    checkpoint_version: s.checkpointVersion ?? null,
  };
}

function commitRecord(c: CommitRecord): Record<string, unknown> {
  const txn = commitTxn(c);
  return {
    record: 'commit',
    version: c.version,
    time: isoTime(c.timestamp),
    operation: c.operation ?? null,
    txn_seq: txn?.seq ?? null,
    args: txn?.args ?? null,
  };
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
    .addOption(metadataFormatOption())
    .action(async (opts: { limit?: number; format: MetadataFormat }) => {
      const pond = await ctx.open();
      const json = opts.format === 'json';
      const lines: string[] = [];
      for (const { name, dir, stats } of await pond.tables()) {
        const title = `${name[0]?.toUpperCase()}${name.slice(1)}`;
        lines.push(json ? jsonLine(tableRecord(name, dir, stats)) : statsLine(title, dir, stats));
      }
      if (!json) lines.push('Commits:\n');
      for (const c of await pond.commits(opts.limit)) {
        lines.push(json ? jsonLine(commitRecord(c)) : commitLine(c));
      }
      await writeAll(ctx.io.stdout, lines);
    });
}

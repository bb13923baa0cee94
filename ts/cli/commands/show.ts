// SPDX-License-Identifier: Apache-2.0
import { type Command, Option } from 'commander';
import type { CommitRecord, TableStats } from '../../native/store.js';
import type { Pond } from '../../pond.js';
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

const MODES = ['brief', 'concise', 'detailed'] as const;
type Mode = (typeof MODES)[number];

/** `-m brief`: both tables' statistics, then one line per oplog commit still in the log. */
async function brief(pond: Pond, json: boolean, limit: number | undefined): Promise<string[]> {
  const lines: string[] = [];
  for (const { name, dir, stats } of await pond.tables()) {
    const title = `${name[0]?.toUpperCase()}${name.slice(1)}`;
    lines.push(json ? jsonLine(tableRecord(name, dir, stats)) : statsLine(title, dir, stats));
  }
  if (!json) lines.push('Commits:\n');
  for (const c of await pond.commits(limit)) {
    lines.push(json ? jsonLine(commitRecord(c)) : commitLine(c));
  }
  return lines;
}

/** `-m concise` and `-m detailed`: the oplog's rows by transaction (the newest `limit`). */
async function byRows(
  pond: Pond,
  mode: 'concise' | 'detailed',
  json: boolean,
  limit: number | undefined,
): Promise<string[]> {
  const show = await import('../output-show.js');
  const groups = show.byTransaction(await show.oplogRows(pond.path)).slice(0, limit);
  if (mode === 'concise') {
    return json
      ? groups.map(([seq, rows]) => jsonLine(show.conciseRecord(seq, rows)))
      : [show.conciseText(groups)];
  }
  const { walkStored } = await import('../../history/walk.js');
  const paths = new Map<string, string>();
  for await (const node of walkStored((await pond.tree()).fs.persistence)) {
    if (node.ref.partId === node.ref.id || node.path === '/') paths.set(node.ref.id, node.path);
  }
  return json
    ? groups.flatMap(([, rows]) => rows.map((r) => jsonLine(show.operationRecord(r, paths))))
    : [show.detailedText(groups, paths)];
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('show')
    .description(
      [
        'Delta-level statistics of the oplog and control table, and what commits wrote',
        '',
        '-m brief (default): for each table its version, active files, bytes,',
        'partitions, commit files in _delta_log and the newest checkpoint; then each',
        'oplog commit still in the log (pond maintain removes those before its',
        'checkpoint): version, time (UTC), Delta operation, the pond transaction.',
        '-m concise: one line per transaction, newest first: the oplog rows it wrote,',
        'the nodes they belong to, and its time.',
        '-m detailed: per transaction, its rows grouped by partition (the owning',
        "directory): node, entry type, version, size, directory snapshots' entries.",
      ].join('\n'),
    )
    .addOption(
      new Option('-m, --mode <mode>', 'brief, concise (a line per transaction) or detailed')
        .choices(MODES)
        .default('brief'),
    )
    .option(
      '--limit <n>',
      'only the newest N commits (concise, detailed: transactions)',
      positiveInt,
    )
    .addOption(metadataFormatOption())
    .action(async (opts: { limit?: number; mode: Mode; format: MetadataFormat }) => {
      const pond = await ctx.open();
      const json = opts.format === 'json';
      const lines =
        opts.mode === 'brief'
          ? await brief(pond, json, opts.limit)
          : await byRows(pond, opts.mode, json, opts.limit);
      await writeAll(ctx.io.stdout, lines);
    });
}

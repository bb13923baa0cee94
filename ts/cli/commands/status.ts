// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { TableStats } from '../../native/store.js';
import type { RemoteWatermark } from '../../remote/remotes.js';
import type { TxnStatus, TxnSummary } from '../../steward/control.js';
import type { PondIdentity } from '../../steward/steward.js';
import type { CliContext } from '../context.js';
import { bytes, shellJoin, utcTime } from '../format.js';
import { type MetadataFormat, metadataFormatOption } from '../options.js';
import { jsonLine, write } from '../output.js';
import { isoTime } from '../output-json.js';

interface Status {
  readonly path: string;
  readonly pondId: string;
  readonly identity: PondIdentity | null;
  readonly data: TableStats;
  readonly count: (status: TxnStatus) => number;
  readonly last: TxnSummary | undefined;
  readonly postCommit: readonly { path: string; factory: string; mode: string }[];
  readonly remotes: readonly RemoteWatermark[];
}

/** One remote's line: where it is and how far behind its last push or pull is. */
export function remoteLine(r: RemoteWatermark): string {
  if (r.mode === 'pull') {
    const mount = r.mount ? ` at ${r.mount}` : '';
    const pulled = r.seq === null ? 'never pulled' : `pulled up to its transaction ${r.seq}`;
    return `Remote ${r.name}: ${r.url}${mount}, ${pulled}`;
  }
  if (r.seq === null) return `Backup ${r.name}: ${r.url}, never pushed`;
  const state = r.behind === 0 ? 'up to date' : `behind by ${r.behind} transaction(s)`;
  return `Backup ${r.name}: ${r.url}, ${state} (last push at transaction ${r.seq})`;
}

function statusText(s: Status): string {
  const out: string[] = [`Pond: ${s.path}`, `Pond id: ${s.pondId}`];
  if (s.identity) {
    const { birthTime, user, host, birthplace } = s.identity;
    const place = birthplace ? ` (${birthplace})` : '';
    out.push(`Created: ${utcTime(birthTime)} UTC by ${user}@${host}${place}`);
  }
  out.push(`Data: version ${s.data.version}, ${s.data.files} files, ${bytes(s.data.bytes)}`);
  out.push(
    `Transactions: ${s.count('COMMITTED')} committed, ${s.count('FAILED')} failed, ${s.count('COMPLETED')} with nothing to commit, ${s.count('INCOMPLETE')} incomplete`,
  );
  if (s.last) {
    out.push(
      `Last: ${s.last.seq} ${s.last.status} ${utcTime(s.last.time)} UTC  pond ${shellJoin(s.last.args)}`,
    );
  }
  if (s.count('INCOMPLETE') > 0) {
    out.push('Interrupted transactions found: run pond recover (pond log --incomplete lists them)');
  }
  if (s.postCommit.length === 0) out.push('Post-commit factories: none');
  for (const n of s.postCommit) out.push(`Post-commit: ${n.path} (${n.factory}, ${n.mode})`);
  if (s.remotes.length === 0) out.push('Backups and remotes: none');
  for (const r of s.remotes) out.push(remoteLine(r));
  return `${out.join('\n')}\n`;
}

/** The `status --format json` object (one line). */
function statusRecord(s: Status): Record<string, unknown> {
  return {
    pond: s.path,
    pond_id: s.pondId,
    birth_time: isoTime(s.identity?.birthTime),
    user: s.identity?.user ?? null,
    host: s.identity?.host ?? null,
    birthplace: s.identity?.birthplace ?? null,
    data: { version: s.data.version, files: s.data.files, bytes: s.data.bytes },
    transactions: {
      committed: s.count('COMMITTED'),
      failed: s.count('FAILED'),
      completed: s.count('COMPLETED'),
      incomplete: s.count('INCOMPLETE'),
    },
    last: s.last
      ? { seq: s.last.seq, status: s.last.status, time: isoTime(s.last.time), args: s.last.args }
      : null,
    post_commit: s.postCommit,
    remotes: s.remotes,
  };
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(
      'operator summary: identity, size, transaction counts, the last transaction, interrupted transactions, post-commit factories, and backups and remotes as last pushed or pulled',
    )
    .addOption(metadataFormatOption())
    .action(async (opts: { format: MetadataFormat }) => {
      const pond = await ctx.open();
      const { transactions: txns, ...report } = await pond.status();
      const status: Status = {
        ...report,
        count: (s) => txns.filter((t) => t.status === s).length,
        last: txns[txns.length - 1],
      };
      const text = opts.format === 'json' ? jsonLine(statusRecord(status)) : statusText(status);
      await write(ctx.io.stdout, text);
    });
}

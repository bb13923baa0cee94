// SPDX-License-Identifier: Apache-2.0
/**
 * Integrity check of a pond: every oplog row is validated (ids, hashes, names: values that
 * become host paths); every inline content and large file is re-hashed against its
 * recorded BLAKE3 (`quick` checks large files' presence and size only); every directory
 * snapshot decodes and its entries have rows; the control log and the data table agree
 * (every COMMITTED transaction's rows are in the data table, at a version that exists);
 * and a root checksum over every reachable version of every file and directory snapshot
 * summarises the pond's content.
 */

import { ErrorCode, type PondError } from '../errors.js';
import { blake3Hex, type Store } from '../native/store.js';
import { liveKey, reachable } from '../tlogfs/reachable.js';
import { decodeRows, Format, type OplogRow } from '../tlogfs/rows.js';
import type { Control, TxnSummary } from './control.js';
import { metaOf } from './head.js';
import { prunedContent } from './prune.js';

export interface FsckOptions {
  readonly quick?: boolean;
  /** Called with a line per checked item. */
  readonly progress?: (line: string) => void;
}

/** One thing fsck found wrong. */
export interface FsckProblem {
  readonly code: ErrorCode;
  /** The pond path (or node id, or `txn N`) it concerns. */
  readonly path: string;
  /** The whole line, path first. */
  readonly message: string;
}

export interface FsckReport {
  readonly problems: readonly FsckProblem[];
  readonly rows: number;
  readonly inline: number;
  readonly large: number;
  readonly directories: number;
  readonly rootChecksum: string;
}

/** What fsck reads: the oplog and the control log. */
export interface FsckTarget {
  readonly store: Store;
  readonly control: Control;
  /** Throws for a pond not in pond's own format (one of the original DuckPond's). */
  requireNative?(what: string): void;
}

class Problems {
  readonly list: FsckProblem[] = [];

  add(path: string, what: string, code: ErrorCode = ErrorCode.CORRUPT): void {
    this.list.push({ code, path, message: `${path}: ${what}` });
  }
}

export async function fsck(target: FsckTarget, options: FsckOptions = {}): Promise<FsckReport> {
  target.requireNative?.('`pond fsck`');
  const { store } = target;
  await store.refresh();
  const problems = new Problems();
  const say = options.progress ?? (() => undefined);
  const byPart = new Map<string, OplogRow[]>();
  const invalid: PondError[] = [];
  for (const part of await store.partitions()) {
    const buffer = await store.readRows({ partId: part, withContent: true });
    byPart.set(part, decodeRows(buffer, { invalid: (err) => invalid.push(err) }));
  }
  const { paths, byNode, directories } = reachable(byPart, (path, what, code) =>
    problems.add(path, what, code),
  );
  const pruned = await prunedContent(target.control);
  for (const err of invalid) {
    const path = byNode.get(err.path ?? '') ?? err.path ?? '?';
    problems.add(path, err.message.slice(err.message.indexOf(': ') + 2));
  }

  let inline = 0;
  let large = 0;
  let count = invalid.length;
  const sums: string[] = [];
  for (const rows of byPart.values()) {
    for (const row of rows) {
      count++;
      const path = paths.get(liveKey(row.partId, row.nodeId));
      const where = `${path ?? byNode.get(row.nodeId) ?? `node ${row.nodeId}`} v${row.version}`;
      if (row.format === Format.FullDir) {
        if (path && row.nodeId === row.partId && row.content)
          sums.push(`${path}\t${row.version}\tdir:${blake3Hex(row.content)}`);
        continue;
      }
      if (!row.blake3) continue;
      if (row.content !== null) {
        inline++;
        const actual = blake3Hex(row.content);
        if (actual !== row.blake3)
          problems.add(where, `inline content does not match recorded blake3 (${actual})`);
        else if (row.size !== null && row.size !== row.content.length)
          problems.add(where, `size ${row.content.length}, recorded ${row.size}`);
      } else {
        large++;
        const file = store.largeFilePath(row.blake3);
        const size = await store.contentSize(row.blake3);
        if (size === null) {
          // Given up on purpose by `maintain --prune-removed`, for nodes no longer in the tree.
          if (!path && pruned.has(row.blake3)) continue;
          problems.add(where, `large file ${file} is missing`);
        } else if (size !== row.size)
          problems.add(where, `large file ${file} has ${size} bytes, recorded ${row.size}`);
        else if (!options.quick) {
          const actual = await store.hashContent(row.blake3);
          if (actual !== row.blake3)
            problems.add(
              where,
              `large file ${file} does not match recorded blake3 (actual ${actual})`,
            );
        }
      }
      say(`checked ${where}`);
      if (path) sums.push(`${path}\t${row.version}\t${row.blake3}`);
    }
  }
  await crossCheck(target, byPart, problems);
  sums.sort();
  const rootChecksum = blake3Hex(new TextEncoder().encode(sums.join('\n')));
  return { problems: problems.list, rows: count, inline, large, directories, rootChecksum };
}

/**
 * The control log against the data table: each COMMITTED transaction has rows (they carry
 * its `txn_seq`) at a data version that exists and, while its commit file is in the log,
 * carries its number; no transaction the control log says wrote nothing has rows.
 */
async function crossCheck(
  { store, control }: FsckTarget,
  byPart: ReadonlyMap<string, readonly OplogRow[]>,
  problems: Problems,
): Promise<void> {
  const seqs = new Set<number>();
  for (const rows of byPart.values()) for (const r of rows) seqs.add(r.txnSeq);
  const txns = await control.transactions();
  if (txns.length === 0) {
    problems.add('/', 'the control log is missing: no transaction is recorded');
    return;
  }
  const commits = await store.history();
  const newest = commits[commits.length - 1]?.version ?? store.version;
  const seqAt = new Map(commits.map((c) => [c.version, metaOf(c)?.txn_seq]));
  const name = (t: TxnSummary) => `txn ${t.seq}`;
  for (const t of txns) {
    if (t.status === 'COMMITTED') {
      if (t.dataVersion !== null && t.dataVersion > newest) {
        problems.add(
          name(t),
          `recorded COMMITTED at data version ${t.dataVersion}, but the data table ends at version ${newest}`,
        );
      } else if (!seqs.has(t.seq)) {
        problems.add(name(t), 'recorded COMMITTED, but the data table holds none of its rows');
      } else if (
        t.dataVersion !== null &&
        seqAt.has(t.dataVersion) &&
        seqAt.get(t.dataVersion) !== t.seq
      ) {
        problems.add(
          name(t),
          `recorded COMMITTED at data version ${t.dataVersion}, whose commit does not carry it`,
        );
      }
    } else if ((t.status === 'FAILED' || t.status === 'COMPLETED') && seqs.has(t.seq)) {
      problems.add(
        name(t),
        `recorded ${t.status} (nothing written), but the data table holds its rows`,
      );
    }
  }
}

// SPDX-License-Identifier: Apache-2.0
/**
 * `pond verify`: compare a pond (or a pull remote's local replica) with the remote's tip,
 * and check that every object the tip names is there and hashes to its name. Says which
 * side is behind and by how many transactions.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PondError } from '../errors.js';
import type { FileMap } from './layout.js';
import { objectKey } from './layout.js';
import type { RemoteStore, Tip } from './store.js';

export type VerifyStatus = 'up to date' | 'remote behind' | 'local behind' | 'differs' | 'corrupt';

export interface VerifyReport {
  readonly remote: string;
  readonly status: VerifyStatus;
  /** Transactions the behind side lacks (0 when up to date or only differing). */
  readonly behindBy: number;
  readonly localSeq: number;
  readonly remoteSeq: number | null;
  /** Files whose content differs between the two sides. */
  readonly differing: readonly string[];
  /** Objects that are missing or do not hash to their name, as messages. */
  readonly problems: readonly string[];
  /** One line for people. */
  readonly summary: string;
}

export interface VerifySides {
  readonly name: string;
  /** Push remotes compare the pond; pull remotes compare their replica. */
  readonly local: FileMap;
  readonly localSeq: number;
  /** How many COMMITTED local transactions come after `seq` (for "behind by"). */
  readonly committedAfter: (seq: number) => number;
  readonly direction: 'push' | 'pull';
}

/** Check every object `tip` names: present with its size, and (unless `quick`) its hash. */
export async function checkObjects(
  remote: RemoteStore,
  tip: Tip,
  quick: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const scratch = quick ? null : await mkdtemp(join(tmpdir(), 'pond-verify-'));
  try {
    for (const [path, entry] of [...tip.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (seen.has(entry.blake3)) continue;
      seen.add(entry.blake3);
      const key = objectKey(entry.blake3);
      if (scratch === null) {
        const size = await remote.objects.head(key);
        if (size === null) problems.push(`${key} (${path}) is missing`);
        else if (size !== entry.size)
          problems.push(`${key} (${path}) has ${size} bytes, not ${entry.size}`);
        continue;
      }
      try {
        await remote.fetch(entry, path, join(scratch, 'object'));
      } catch (err) {
        if (!(err instanceof PondError)) throw err;
        problems.push(err.message.replace(`${remote.url}: object `, ''));
      }
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  return problems;
}

/** Compare two sides and the objects; pure but for `problems`, which the caller gathers. */
export function compare(sides: VerifySides, tip: Tip, problems: readonly string[]): VerifyReport {
  const record = tip.record;
  const differing: string[] = [];
  for (const [path, entry] of sides.local) {
    const there = tip.files.get(path);
    if (!there || there.blake3 !== entry.blake3) differing.push(path);
  }
  for (const path of tip.files.keys()) if (!sides.local.has(path)) differing.push(path);
  differing.sort();
  const base = {
    remote: sides.name,
    localSeq: sides.localSeq,
    remoteSeq: record?.seq ?? null,
    differing,
    problems,
  };
  const local = sides.direction === 'push' ? 'the pond' : 'the local replica';
  if (problems.length > 0) {
    return {
      ...base,
      status: 'corrupt',
      behindBy: 0,
      summary: `remote ${sides.name}: ${problems.length} object(s) missing or corrupt: ${problems[0]}`,
    };
  }
  if (differing.length === 0 && record) {
    return {
      ...base,
      status: 'up to date',
      behindBy: 0,
      summary: `remote ${sides.name}: up to date at transaction ${record.seq}`,
    };
  }
  const remoteSeq = record?.seq ?? 0;
  if (sides.direction === 'push') {
    const behind = sides.committedAfter(record?.committed ?? 0);
    if (behind > 0 || !record) {
      return {
        ...base,
        status: 'remote behind',
        behindBy: behind,
        summary: `remote ${sides.name}: behind ${local} by ${behind} transaction(s) (remote at ${remoteSeq}, pond at ${sides.localSeq}); pond push ${sides.name} brings it up`,
      };
    }
  }
  if (remoteSeq > sides.localSeq) {
    const by = remoteSeq - sides.localSeq;
    return {
      ...base,
      status: 'local behind',
      behindBy: by,
      summary: `remote ${sides.name}: ${local} is behind by ${by} transaction(s) (remote at ${remoteSeq}, local at ${sides.localSeq})${sides.direction === 'pull' ? `; pond pull ${sides.name}` : ''}`,
    };
  }
  return {
    ...base,
    status: 'differs',
    behindBy: 0,
    summary: `remote ${sides.name}: ${differing.length} file(s) differ from ${local} at the same transactions (first: ${differing[0]})`,
  };
}

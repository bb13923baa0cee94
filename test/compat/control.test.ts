// SPDX-License-Identifier: Apache-2.0
/**
 * The original's control records, commit metadata and attributes as pond reads them (pure
 * functions; the fixture tests cover them over real tables too): the nested `pond_txn`,
 * the pond id of §6.7 step 2 when the control table names none, transactions from
 * lifecycle records, and the time column attribute.
 */
import { describe, expect, it } from 'vitest';
import {
  type OriginalRecord,
  originalTxnMeta,
  pondIdOfCommits,
  transactionsOf,
} from '../../ts/compat/control.js';

const POND = '0190b5a0-1111-7000-8000-00000000abcd';
const OTHER = '0190b5a0-2222-7000-8000-00000000abcd';

const commit = (version: number, meta: object | null) => ({
  version,
  ...(meta ? { meta: JSON.stringify(meta) } : {}),
});

function record(kind: string, seq: number, extra: Partial<OriginalRecord> = {}): OriginalRecord {
  return {
    pondId: POND,
    recordKind: kind,
    txnSeq: seq,
    txnId: `t${seq}`,
    durationMs: null,
    tsMicros: seq * 1_000_000,
    metadata: {},
    ...extra,
  };
}

describe('the original control table and commit metadata', () => {
  it('reads the nested pond_txn, and only it', () => {
    expect(
      originalTxnMeta(
        JSON.stringify({ txn_seq: 4, user: { txn_id: 'x', args: ['mknod', 'a'] }, pond_id: POND }),
      ),
    ).toEqual({ txnSeq: 4, txnId: 'x', args: ['mknod', 'a'], pondId: POND });
    // pond's own form (txn_id at the top) is not the original's.
    expect(originalTxnMeta(JSON.stringify({ txn_seq: 4, txn_id: 'x', args: [] }))).toBeNull();
    expect(originalTxnMeta('not json')).toBeNull();
  });

  it("finds the local pond id in the oldest commit that is not another pond's bundle", () => {
    const user = (args: string[]) => ({ txn_id: 'x', args });
    const commits = [
      commit(0, null),
      commit(1, { txn_seq: 1, user: user(['init']), pond_id: '' }),
      commit(2, {
        txn_seq: 2,
        user: user(['internal', 'apply_pulled_bundle', 'r']),
        pond_id: OTHER,
      }),
      commit(3, { txn_seq: 3, user: user(['mkdir', '/a']), pond_id: POND }),
    ];
    expect(pondIdOfCommits(commits)).toBe(POND);
    expect(pondIdOfCommits(commits.slice(0, 3))).toBeNull();
  });

  it('makes one summary per transaction of the local pond, with its outcome', () => {
    const records = [
      record('setting', 0, { txnId: 'store_id', pondId: '00000000-0000-0000-0000-000000000000' }),
      record('begin', 1),
      record('data_committed', 1, { durationMs: 5, metadata: { data_delta_version: 1 } }),
      record('begin', 2),
      record('failed', 2, { durationMs: 2, metadata: { reason: 'boom' } }),
      record('begin', 3),
      record('begin', 4, { pondId: OTHER }),
    ];
    const commits = [commit(1, { txn_seq: 1, user: { txn_id: 't1', args: ['init'] } })];
    const txns = transactionsOf(records, POND, commits);
    expect(txns.map((t) => [t.seq, t.status, t.args, t.dataVersion, t.error])).toEqual([
      [1, 'COMMITTED', ['init'], 1, null],
      [2, 'FAILED', [], null, 'boom'],
      [3, 'INCOMPLETE', [], null, null],
    ]);
    expect(txns[0]).toMatchObject({ id: 't1', time: 1000, durationMs: 5 });
  });
});

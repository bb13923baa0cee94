// SPDX-License-Identifier: Apache-2.0
/**
 * An independent reader (Python `deltalake` from PyPI) must see pond's oplog as a valid
 * Delta table with the REFERENCE §4 schema, partitioning and one version per transaction.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pondOk, REPO, tempDir } from '../helpers.js';

let python = '';

beforeAll(() => {
  python = execFileSync('bash', [join(REPO, 'scripts', 'python-tools.sh')], {
    encoding: 'utf8',
  }).trim();
}, 600_000);

const READER = `
import json, sys
from deltalake import DeltaTable
dt = DeltaTable(sys.argv[1])
t = dt.to_pyarrow_table()
print(json.dumps({
  "version": dt.version(),
  "partition_columns": dt.metadata().partition_columns,
  "fields": [[f.name, str(f.type), f.nullable] for f in dt.schema().fields],
  "arrow": [[f.name, str(f.type)] for f in t.schema],
  "pond_txn": [h.get("pond_txn") for h in reversed(dt.history())],
  "rows": t.num_rows,
  "part_ids": sorted(set(t.column("part_id").to_pylist())),
}))
sys.stdout.flush()
# python-deltalake can abort in its runtime teardown at interpreter exit; skip teardown.
import os
os._exit(0)
`;

describe('the oplog as a Delta table', () => {
  it('is readable by Python deltalake with the exact schema', async () => {
    const p = join(await tempDir(), 'pond');
    await pondOk(p, 'init');
    await pondOk(p, 'mkdir', '-p', '/a/b');
    await pondOk(p, 'copy', 'host:///etc/hosts', '/a/b/h');
    const out = JSON.parse(
      execFileSync(python, ['-c', READER, join(p, 'data')], { encoding: 'utf8' }),
    );
    expect(out.version).toBe(2);
    expect(out.partition_columns).toEqual(['pond_id', 'part_id']);
    const fields = (out.fields as [string, string, boolean][]).map(([n, t, nullable]) => [
      n,
      t.replace(/^PrimitiveType\("(.*)"\)$/, '$1'),
      nullable,
    ]);
    expect(fields).toEqual([
      ['part_id', 'string', false],
      ['node_id', 'string', false],
      ['file_type', 'string', false],
      ['timestamp', 'timestamp', false],
      ['version', 'long', false],
      ['content', 'binary', true],
      ['blake3', 'string', true],
      ['size', 'long', true],
      ['min_event_time', 'long', true],
      ['max_event_time', 'long', true],
      ['min_override', 'long', true],
      ['max_override', 'long', true],
      ['extended_attributes', 'string', true],
      ['factory', 'string', true],
      ['format', 'string', false],
      ['txn_seq', 'long', false],
      ['pond_id', 'string', false],
    ]);
    const arrow = Object.fromEntries(out.arrow as [string, string][]);
    expect(arrow.timestamp).toBe('timestamp[us, tz=UTC]');
    expect(
      (out.pond_txn as { txn_seq: number; args: string[] }[]).map((m) => [m.txn_seq, m.args]),
    ).toEqual([
      [1, ['init']],
      [2, ['mkdir', '-p', '/a/b']],
      [3, ['copy', 'host:///etc/hosts', '/a/b/h']],
    ]);
    // root v1, root v2 (+a), a v1, b v1, then b v2 (+h) and h v1
    expect(out.rows).toBe(6);
    expect(out.part_ids).toHaveLength(3);
  });
});

// SPDX-License-Identifier: Apache-2.0
/**
 * `pond import-original SRC DEST` against the original-pond fixture: the new pond lists,
 * reads and queries exactly as the original does (`list -l`, `cat` bytes of every version
 * of every file, SQL over tables, series and dynamic nodes, history, the transaction log),
 * keeps node ids, versions, times, hashes and the override columns, is a writable pond of
 * pond's own, and the source is left byte-identical. Bad sources and destinations are
 * refused before anything is written.
 */
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blake3Hex, Store } from '../../ts/native/store.js';
import { ROOT_ID } from '../../ts/tinyfs/persistence.js';
import { decodeRows } from '../../ts/tlogfs/rows.js';
import {
  type CliResult,
  jsonLines,
  listedPaths,
  pond,
  pondAndHost,
  pondOk,
  pondProcess,
  tempDir,
} from '../helpers.js';
import { BIG_V1, type Fixture, fingerprint, LOG_LINES, makeFixture, PATHS } from './fixture.js';

let fx: Fixture;
let dest: string;
let imported: CliResult;
let sourceBefore: Map<string, string>;

beforeAll(async () => {
  fx = await makeFixture();
  process.env.XDG_CACHE_HOME = fx.cache;
  sourceBefore = await fingerprint(fx.pond);
  dest = join(fx.dir, 'imported');
  // Through the built CLI (dist/), as a user runs it.
  imported = await pondProcess(fx.pond, ['import-original', fx.pond, dest], {
    env: { XDG_CACHE_HOME: fx.cache },
  });
}, 600_000);

afterAll(async () => {
  await fx?.remove();
});

/** Run the same command on the original and the import. */
async function both(...args: string[]): Promise<[CliResult, CliResult]> {
  return [await pond(fx.pond, ...args), await pond(dest, ...args)];
}

async function listing(dir: string): Promise<Record<string, unknown>[]> {
  return jsonLines((await pondOk(dir, 'list', '-a', '--format', 'json', '/**')).stdout);
}

describe('pond import-original', () => {
  it('makes a pond with the same listing: paths, types, ids, versions, sizes, times', async () => {
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain(
      `Imported pond ${fx.info.pond_id} from ${fx.pond} into ${dest}: ${fx.info.last_seq} transactions`,
    );
    const [original, copy] = await both('list', '-l', '-a', '/**');
    expect(copy.stdout).toBe(original.stdout);
    expect(original.stdout.trim().split('\n')).toHaveLength(25);
    expect(await listing(dest)).toEqual(await listing(fx.pond));
  });

  it('holds the same bytes for every version of every file', async () => {
    const files = (await listing(fx.pond)).filter((e) =>
      ['file:physical:version', 'file:physical:series', 'symlink'].includes(e.entry_type as string),
    );
    expect(files.map((f) => f.path)).toEqual([PATHS.hello, PATHS.big, PATHS.latest, PATHS.log]);
    for (const file of files) {
      const path = file.path as string;
      const [a, b] = await both('cat', path);
      expect(a.code).toBe(0);
      expect(b.bytes.equals(a.bytes)).toBe(true);
      const [ha, hb] = await both('history', path);
      expect(hb.stdout).toBe(ha.stdout);
      for (const line of ha.stdout.trim().split('\n')) {
        const version = (line.split(/\s+/)[0] as string).slice(1);
        const [va, vb] = await both('cat', path, '--version', version);
        expect(va.code).toBe(0);
        expect(vb.bytes.equals(va.bytes)).toBe(true);
      }
    }
  });

  it('answers the same queries over tables, series and dynamic nodes', async () => {
    const statements = [
      `SELECT * FROM '${PATHS.readings}' ORDER BY id`,
      `SELECT * FROM '${PATHS.readings}@v1' ORDER BY id`,
      `SELECT * FROM '${PATHS.many}' ORDER BY id`,
      `SELECT * FROM '${PATHS.dock}' ORDER BY timestamp`,
      `SELECT arrow_typeof(timestamp) AS t FROM '${PATHS.dock}' LIMIT 1`,
      `SELECT * FROM '${PATHS.derived}' ORDER BY timestamp`,
      `SELECT * FROM '${PATHS.viewCount}'`,
      `SELECT * FROM '${PATHS.rollup}' ORDER BY timestamp`,
      `SELECT * FROM '${PATHS.spare}@v2' ORDER BY timestamp`,
    ];
    for (const sql of statements) {
      const [a, b] = await both('sql', sql);
      expect(a.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    }
    // The newest version of this series is a set-temporal-bounds marker: both ponds keep
    // its 8 rows within [2024-01-01T00:15Z, 2024-01-02T00:30Z] (epoch ms 1704068100000 and
    // 1704155400000), bounds included.
    const bounded = `SELECT count(*) AS n, min(timestamp) AS lo, max(timestamp) AS hi FROM '${PATHS.spare}'`;
    const [a, b] = await both('sql', bounded, '--format', 'csv');
    expect(a.stdout).toBe('n,lo,hi\n6,2024-01-01T00:15:00Z,2024-01-02T00:30:00Z\n');
    expect(b.stdout).toBe(a.stdout);
    const [da, db] = await both('describe', PATHS.dock);
    expect(db.stdout).toBe(da.stdout);
    const [pa, pb] = await both(
      'cat',
      PATHS.dock,
      '--format',
      'csv',
      '--sql',
      'SELECT * FROM source ORDER BY timestamp',
    );
    expect(pb.stdout).toBe(pa.stdout);
  });

  it('keeps the history: as-of reads and the transaction log', async () => {
    for (const seq of ['3', '9', '12']) {
      const [a, b] = await both('cat', PATHS.hello, '--as-of', seq);
      expect(b.stdout).toBe(a.stdout);
    }
    // The versions a collapse superseded are not imported (docs/compat.md): before the
    // collapse, the import's series lacks them.
    const [ca, cb] = await both('cat', PATHS.log, '--as-of', '9');
    expect(ca.stdout).toBe(LOG_LINES.slice(0, 3).join(''));
    expect(cb.stdout).toBe('');
    const fields = (t: Record<string, unknown>) => ({
      seq: t.seq,
      txn_id: t.txn_id,
      status: t.status,
      args: t.args,
      time: t.time,
      error: t.error,
    });
    const [la, lb] = await both('log', '--all', '--format', 'json');
    // Transactions 8 and 9 only appended series versions that transaction 10 collapsed:
    // the import has nothing of them to commit and records them COMPLETED.
    const superseded = (t: Record<string, unknown>) =>
      t.seq === 8 || t.seq === 9 ? { ...t, status: 'COMPLETED' } : t;
    expect(jsonLines(lb.stdout).map(fields)).toEqual(
      jsonLines(la.stdout).map(superseded).map(fields),
    );
    const [sa, sb] = await both('status');
    const created = (s: string) => s.split('\n').find((l) => l.startsWith('Created:'));
    expect(created(sb.stdout)).toBe(created(sa.stdout));
  });

  it('keeps the override columns (ms) and leaves the reserved nodes behind', async () => {
    const store = await Store.open(dest);
    const [device] = jsonLines(
      (await pondOk(dest, 'list', '--format', 'json', '/hydrovu/devices/6582334')).stdout,
    ) as { node_id: string }[];
    const rows = decodeRows(await store.readRows({ partId: device?.node_id as string }));
    const marker = rows.find((r) => r.fileType === 'table:physical:series' && r.size === 0);
    expect(marker).toMatchObject({
      version: 3,
      txnSeq: 21,
      minOverride: 1_704_068_100_000,
      maxOverride: 1_704_155_400_000,
    });
    const root = decodeRows(await store.readRows({ partId: ROOT_ID, withContent: false }));
    expect(root.every((r) => !r.nodeId.startsWith('00000000-0000-77'))).toBe(true);
  });

  it('is a writable pond of its own, and the source is unchanged', async () => {
    expect((await pondOk(dest, 'fsck')).stdout).toContain('Result: OK');
    await pondOk(dest, 'mkdir', '/after-import');
    const [last] = jsonLines(
      (await pondOk(dest, 'log', '--format', 'json', '--limit', '1')).stdout,
    );
    expect(last).toMatchObject({ seq: fx.info.last_seq + 1, args: ['mkdir', '/after-import'] });
    expect(await fingerprint(fx.pond)).toEqual(sourceBefore);
  });

  it('refuses a source that is not an original pond, and a destination in use', async () => {
    const { p } = await pondAndHost();
    const host = await tempDir();
    const cases: [string, string, number, string][] = [
      [p, join(host, 'a'), 1, 'INVALID_ARGUMENT'],
      [host, join(host, 'b'), 3, 'NOT_A_POND'],
      [fx.pond, p, 5, 'ALREADY_EXISTS'],
    ];
    cases.push([fx.pond, join(fx.pond, 'inside'), 1, 'INVALID_ARGUMENT']);
    const full = join(host, 'full');
    await mkdir(full);
    await writeFile(join(full, 'notes.txt'), 'mine');
    cases.push([fx.pond, full, 5, 'ALREADY_EXISTS']);
    const nativeBefore = await fingerprint(p);
    for (const [src, to, code, error] of cases) {
      const result = await pond(undefined, 'import-original', src, to);
      expect([src, to, result.code, result.stderr.split(':')[0]]).toEqual([
        src,
        to,
        code,
        `Error [${error}]`,
      ]);
    }
    expect(await readdir(full)).toEqual(['notes.txt']);
    expect((await readdir(host)).sort()).toEqual(['full']);
    expect(await fingerprint(p)).toEqual(nativeBefore);
    expect(await fingerprint(fx.pond)).toEqual(sourceBefore);
  });

  it("hides another pond's mount, and refuses to convert a pond that has one", async () => {
    const cross = await makeFixture({ crossPond: true });
    try {
      const root = await pondOk(cross.pond, 'list', '/');
      expect(listedPaths(root.stdout)).not.toContain('/lab');
      expect(listedPaths(root.stdout)).toContain('/a');
      const lab = await pond(cross.pond, 'cat', '/lab/README');
      expect([lab.code, lab.stderr.split(':')[0]]).toEqual([3, 'Error [NOT_FOUND]']);
      const to = join(cross.dir, 'to');
      const result = await pond(undefined, 'import-original', cross.pond, to);
      expect([result.code, result.stderr.split(':')[0]]).toEqual([1, 'Error [INVALID_DATA]']);
      expect(result.stderr).toContain(
        'mounts "lab" from pond 0190b5a0-2222-7000-8000-00000000beef',
      );
      expect(await readdir(to).catch(() => [])).toEqual([]);
    } finally {
      await cross.remove();
    }
  });

  it('leaves no half-made pond when the source turns out damaged', async () => {
    const dir = await tempDir();
    const broken = join(dir, 'broken');
    await cp(fx.pond, broken, { recursive: true });
    const flat = `blake3=${blake3Hex(BIG_V1())}.parquet`;
    await rm(join(broken, 'data', '_large_files', flat));
    // A cache of its own, so the de-chunked copy made from the intact fixture is not used.
    const to = join(dir, 'to');
    const result = await pondProcess(broken, ['import-original', broken, to], {
      env: { XDG_CACHE_HOME: join(dir, 'cache') },
    });
    expect([result.code, result.stderr.split(':')[0]]).toEqual([6, 'Error [CORRUPT]']);
    expect(result.stderr).toContain(`large file _large_files/${flat} is missing`);
    expect(await readdir(to).catch(() => [])).toEqual([]);
  });
});

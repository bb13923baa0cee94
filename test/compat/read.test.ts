// SPDX-License-Identifier: Apache-2.0
/**
 * Reading a pond written by the original DuckPond (the fixture of
 * test/fixtures/original-pond/, REFERENCE-ORIGINAL §6): list, cat, describe, sql, history,
 * log, status and copy out, through the CLI in-process, against real Delta tables and
 * DataFusion.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedDir, OriginalPond } from '../../ts/compat/pond.js';
import { PondError } from '../../ts/errors.js';
import { blake3Hex, Store } from '../../ts/native/store.js';
import { Pond } from '../../ts/pond.js';
import { timeColumnOf } from '../../ts/query/series.js';
import { decodeRows } from '../../ts/tlogfs/rows.js';
import { jsonLines, listedPaths, pond, pondAndHost, pondOk, tempDir } from '../helpers.js';
import {
  BIG_V1,
  BIG_V2,
  type Fixture,
  HELLO_V1,
  HELLO_V2,
  LOG_LINES,
  makeFixture,
  PATHS,
} from './fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await makeFixture();
  process.env.XDG_CACHE_HOME = fx.cache;
}, 600_000);

afterAll(async () => {
  await fx?.remove();
});

describe('an original pond, opened', () => {
  it('is told from a native pond', async () => {
    const original = await Pond.open(fx.pond);
    expect(original.id).toBe(fx.info.pond_id);
    const { p } = await pondAndHost();
    await expect(Pond.open(p)).resolves.toBeInstanceOf(Pond);
    // The native pond stays writable; the original does not.
    await pondOk(p, 'mkdir', '/x');
    const err = await original.transaction((tx) => tx.mkdir('/x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PondError);
    expect((err as PondError).code).toBe('READ_ONLY');
    expect((err as PondError).path).toBe(fx.pond);
  });

  it('lists every entry type, hiding the reserved nodes even with -a', async () => {
    const listing = jsonLines(
      (await pondOk(fx.pond, 'list', '-a', '--format', 'json', '/**')).stdout,
    );
    const types = Object.fromEntries(listing.map((e) => [e.path, e.entry_type]));
    expect(types).toMatchObject({
      '/a': 'dir:physical',
      '/a/b': 'dir:physical',
      [PATHS.hello]: 'file:physical:version',
      [PATHS.big]: 'file:physical:version',
      [PATHS.latest]: 'symlink',
      [PATHS.log]: 'file:physical:series',
      [PATHS.readings]: 'table:physical:version',
      [PATHS.many]: 'table:physical:version',
      [PATHS.dock]: 'table:physical:series',
      [PATHS.spare]: 'table:physical:series',
      [PATHS.derived]: 'table:dynamic',
      [PATHS.views]: 'dir:dynamic',
      [PATHS.viewCount]: 'table:dynamic',
      [PATHS.mirror]: 'file:dynamic',
      [PATHS.reduced]: 'dir:dynamic',
      [PATHS.rollup]: 'table:dynamic',
    });
    expect(listing.map((e) => e.path)).not.toContain('/.pond-node-index');
    expect(listing.map((e) => e.path)).not.toContain('/.pond-commit-log');
    // Ids and versions are the original's.
    const hello = listing.find((e) => e.path === PATHS.hello);
    expect(hello).toMatchObject({ version: 2, size: HELLO_V2.length, pond_id: fx.info.pond_id });
    expect(hello?.node_id).toBe('0190b5a1-0003-7403-8003-000000000003');
    expect(listing.find((e) => e.path === PATHS.latest)?.target).toBe(PATHS.hello);
  });

  it('cats small, large (chunked, flat and hierarchical) and symlinked files', async () => {
    expect((await pondOk(fx.pond, 'cat', PATHS.hello)).stdout).toBe(HELLO_V2);
    expect((await pondOk(fx.pond, 'cat', PATHS.hello, '--version', '1')).stdout).toBe(HELLO_V1);
    expect((await pondOk(fx.pond, 'cat', PATHS.latest)).stdout).toBe(HELLO_V2);
    expect((await pondOk(fx.pond, 'cat', PATHS.big)).bytes.equals(BIG_V2())).toBe(true);
    const v1 = (await pondOk(fx.pond, 'cat', PATHS.big, '--version', '1')).bytes;
    expect(v1.length).toBe(BIG_V1().length);
    expect(v1.equals(BIG_V1())).toBe(true);
  });

  it('reads a collapsed raw series once: the versions a collapse superseded are gone', async () => {
    expect((await pondOk(fx.pond, 'cat', PATHS.log)).stdout).toBe(LOG_LINES.join(''));
    const history = (await pondOk(fx.pond, 'history', PATHS.log)).stdout;
    expect(
      history
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['v4', 'v5']);
    // As of transaction 9 the collapse (transaction 10) had not happened.
    const before = await pondOk(fx.pond, 'cat', PATHS.log, '--as-of', '9');
    expect(before.stdout).toBe(LOG_LINES.slice(0, 3).join(''));
    const early = await pondOk(fx.pond, 'cat', PATHS.hello, '--as-of', '3');
    expect(early.stdout).toBe(HELLO_V1);
  });

  it('queries tables, a Timestamp(Second) series stored as INT64, and dynamic nodes', async () => {
    const readings = await pondOk(
      fx.pond,
      'sql',
      `SELECT count(*) AS n, sum(id) AS s FROM '${PATHS.readings}'`,
    );
    expect(readings.stdout).toBe('n,s\n8,828\n');
    const first = await pondOk(fx.pond, 'sql', `SELECT count(*) AS n FROM '${PATHS.readings}@v1'`);
    expect(first.stdout).toBe('n\n5\n');
    // A version of more than 64 KiB: de-chunked outside the pond, then read in place.
    const many = await pondOk(
      fx.pond,
      'sql',
      `SELECT count(*) AS n, sum(id) AS s FROM '${PATHS.many}'`,
    );
    expect(many.stdout).toBe('n,s\n10000,49995000\n');
    const dock = await pondOk(
      fx.pond,
      'sql',
      `SELECT arrow_typeof(timestamp) AS t, count(*) AS n, min(timestamp) AS lo, max(timestamp) AS hi FROM '${PATHS.dock}' GROUP BY 1`,
    );
    expect(dock.stdout).toBe(
      't,n,lo,hi\n"Timestamp(s, ""+00:00"")",21,2024-01-01T00:00:00Z,2024-01-03T01:45:00Z\n',
    );
    const derived = await pondOk(
      fx.pond,
      'sql',
      `SELECT count(*) AS n, round(max(temp_f), 2) AS hi FROM '${PATHS.derived}'`,
    );
    expect(derived.stdout).toBe('n,hi\n21,56.75\n');
    const view = await pondOk(fx.pond, 'sql', `SELECT * FROM '${PATHS.viewCount}'`);
    expect(view.stdout).toBe('n,total\n8,42.0\n');
    const rollup = await pondOk(fx.pond, 'sql', `SELECT * FROM '${PATHS.rollup}' ORDER BY 1`);
    expect(rollup.stdout).toBe(
      'timestamp,Temperature.C.avg,count\n' +
        '2024-01-01T00:00:00Z,10.625,6\n2024-01-02T00:00:00Z,11.75,7\n2024-01-03T00:00:00Z,12.875,8\n',
    );
  });

  it('describes the series with its seconds timestamp and per-version event times', async () => {
    const text = (await pondOk(fx.pond, 'describe', PATHS.dock)).stdout;
    expect(text).toContain('Type: TablePhysicalSeries');
    expect(text).toContain('* timestamp: Timestamp(Second, Some("+00:00"))');
    expect(text).toContain('v1: 6 rows, 2024-01-01 00:00:00 .. 2024-01-01 01:15:00 UTC');
    expect(text).toContain('v3: 8 rows, 2024-01-03 00:00:00 .. 2024-01-03 01:45:00 UTC');
    const raw = (await pondOk(fx.pond, 'describe', PATHS.log)).stdout;
    expect(raw).toContain('Format: Raw data series (versions concatenated on read)');
    expect(raw).toContain('Versions: 2');
  });

  it('surfaces the set-temporal-bounds marker and its overrides (ms) as pond rows do', async () => {
    const [listed] = jsonLines(
      (await pondOk(fx.pond, 'list', '--format', 'json', PATHS.spare)).stdout,
    );
    expect(listed).toMatchObject({ version: 3, size: 0, modified: '2024-01-01T21:00:00.000Z' });
    const store = await Store.open(fx.pond);
    const original = await OriginalPond.open(store, fx.cache);
    const devices = jsonLines(
      (await pondOk(fx.pond, 'list', '--format', 'json', '/hydrovu/devices/6582334')).stdout,
    )[0] as { node_id: string };
    const rows = decodeRows(await original.oplog.readRows({ partId: devices.node_id }));
    const marker = rows.find((r) => r.nodeId === listed?.node_id && r.version === 3);
    expect(marker).toMatchObject({
      size: 0,
      minEventTime: 0,
      maxEventTime: 0,
      minOverride: 1_704_068_100_000,
      maxOverride: 1_704_155_400_000,
      extendedAttributes: '{"watertown.timestamp_column":""}',
    });
    const data = rows.filter((r) => r.nodeId === marker?.nodeId && r.version < 3);
    expect(data.map((r) => [r.minOverride, r.maxOverride])).toEqual([
      [null, null],
      [null, null],
    ]);
    // The original's time column attribute, as written; pond's readers know its key.
    expect(data.map((r) => JSON.parse(r.extendedAttributes ?? '{}'))).toEqual([
      { 'watertown.timestamp_column': 'timestamp' },
      { 'watertown.timestamp_column': 'timestamp' },
    ]);
    expect(data.map((r) => timeColumnOf(r.extendedAttributes))).toEqual(['timestamp', 'timestamp']);
  });

  it("tells the transaction log from the control table and the oplog's commits", async () => {
    const log = jsonLines((await pondOk(fx.pond, 'log', '--format', 'json')).stdout);
    expect(log).toHaveLength(fx.info.last_seq);
    const bySeq = new Map(log.map((t) => [t.seq, t]));
    expect(bySeq.get(3)).toMatchObject({
      status: 'COMMITTED',
      args: ['copy', 'host:///tmp/hello.txt', PATHS.hello],
      txn_id: '0190b5a2-0003-7000-8000-000000000003',
    });
    expect(bySeq.get(12)).toMatchObject({
      status: 'FAILED',
      error: 'Failed to read host file /tmp/readings.parquet: No such file or directory',
    });
    const status = (await pondOk(fx.pond, 'status')).stdout;
    expect(status).toContain(`Pond id: ${fx.info.pond_id}`);
    expect(status).toContain('Created: 2024-01-01 00:00:00 UTC by jmacd@ (noyo-harbor)');
    expect(status).toContain('Transactions: 22 committed, 1 failed');
    expect(status).toContain('Post-commit: /system/run/mirror (copy-out, push)');
  });

  it('copies files and tables out byte for byte', async () => {
    const out = await tempDir();
    await pondOk(fx.pond, 'copy', '/a/**', `host://${out}/`);
    await pondOk(fx.pond, 'copy', PATHS.log, PATHS.latest, `host://${out}/`);
    await pondOk(fx.pond, 'copy', PATHS.dock, `host://${out}/`);
    expect(await readFile(join(out, PATHS.hello), 'utf8')).toBe(HELLO_V2);
    expect((await readFile(join(out, PATHS.big))).equals(BIG_V2())).toBe(true);
    expect(await readFile(join(out, PATHS.log), 'utf8')).toBe(LOG_LINES.join(''));
    const copied = await pondOk(
      undefined,
      'sql',
      `SELECT count(*) AS n FROM 'host+table://${join(out, PATHS.dock)}'`,
    );
    expect(copied.stdout).toBe('n\n21\n');
  });

  it('names a missing large file precisely, as CORRUPT', async () => {
    const { cp, rm } = await import('node:fs/promises');
    const dir = await tempDir();
    const broken = join(dir, 'pond');
    await cp(fx.pond, broken, { recursive: true });
    const flat = `blake3=${blake3Hex(BIG_V1())}.parquet`;
    await rm(join(broken, 'data', '_large_files', flat));
    const result = await pond(broken, 'cat', PATHS.big, '--version', '1');
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`Error [CORRUPT]: large file _large_files/${flat} is missing`);
    // Everything else still reads.
    expect(listedPaths((await pondOk(broken, 'list', '/a/*')).stdout)).toEqual(['/a/b', PATHS.big]);
  });

  it('refuses a chunked file whose bytes are not the ones its name says, as CORRUPT', async () => {
    const { cp, copyFile } = await import('node:fs/promises');
    const dir = await tempDir();
    const broken = join(dir, 'pond');
    await cp(fx.pond, broken, { recursive: true });
    const large = join(broken, 'data', '_large_files');
    const v2 = blake3Hex(BIG_V2());
    // v2's name, v1's chunks.
    await copyFile(
      join(large, `blake3=${blake3Hex(BIG_V1())}.parquet`),
      join(large, `blake3_16=${v2.slice(0, 4)}`, `blake3=${v2}.parquet`),
    );
    const result = await pond(broken, 'cat', PATHS.big);
    expect([result.code, result.stderr.split(':')[0]]).toEqual([6, 'Error [CORRUPT]']);
    expect(result.stderr).toContain(
      `blake3_16=${v2.slice(0, 4)}/blake3=${v2}.parquet holds bytes whose BLAKE3 is ${blake3Hex(BIG_V1())}`,
    );
  });

  it('remakes a derived copy that no longer holds its bytes', async () => {
    const { writeFile } = await import('node:fs/promises');
    await pondOk(fx.pond, 'cat', PATHS.big);
    const copy = join(
      derivedDir(fx.cache, fx.pond, fx.info.pond_id),
      'data',
      '_large_files',
      `blake3=${blake3Hex(BIG_V2())}`,
    );
    await writeFile(copy, 'tampered');
    expect((await pondOk(fx.pond, 'cat', PATHS.big)).bytes.equals(BIG_V2())).toBe(true);
    expect((await readFile(copy)).equals(BIG_V2())).toBe(true);
  });
});

// SPDX-License-Identifier: Apache-2.0
/**
 * The entry-type cast: raw files whose bytes are Parquet (`file:physical:version`,
 * `file:physical:series`) read through `series:///` and `table:///`, with a copied-in
 * series' time metadata, computed once and cached by content hash.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond, type PondError } from '../../ts/index.js';
import { explainText } from '../../ts/query/explain.js';
import { planTables } from '../../ts/query/planner.js';
import { pondAndHost, pondProcess, readingsSql, tempDir, writeParquet } from '../helpers.js';

const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03'];

/** `/raw.series`: a raw series of three Parquet versions, one per day; `/one.parquet`: a raw
 * file whose newest version is day 3 (day 1 before it). */
async function rawPond(): Promise<{ pond: Pond; dir: string }> {
  const dir = await tempDir();
  const pond = await Pond.create(join(dir, 'p'));
  for (const [i, day] of DAYS.entries()) {
    const file = join(dir, `d${i}.parquet`);
    await writeParquet(file, readingsSql(`${day}T00:00:00Z`, 100, i * 100));
    const bytes = await readFile(file);
    await pond.transaction(async (tx) => {
      await tx.write('/raw.series', bytes, { entryType: EntryType.FilePhysicalSeries });
      if (i !== 1) await tx.write('/one.parquet', bytes);
    });
  }
  return { pond, dir };
}

async function count(pond: Pond, sql: string): Promise<number> {
  return Number((await pond.sql(sql)).getChild('c')?.get(0));
}

/** The `PondScanExec` counters of a statement's plan. */
async function scan(pond: Pond, sql: string): Promise<string> {
  const root = await pond.tree();
  const plan = { root, hostRoot: '/', cacheDir: join(pond.path, 'cache') };
  const text = await explainText(sql, await planTables(sql, plan));
  return /versions=\d+ versions_skipped=\d+/.exec(text)?.[0] ?? text;
}

describe('raw Parquet files through series:/// and table:///', () => {
  it('reads a raw series as a series of its versions, a raw file as its newest version', async () => {
    const { pond } = await rawPond();
    expect(await count(pond, `SELECT count(*) AS c FROM 'series:///raw.series'`)).toBe(300);
    expect(await count(pond, `SELECT count(*) AS c FROM 'file+series:///raw.series'`)).toBe(300);
    expect(await count(pond, `SELECT count(*) AS c FROM 'table:///raw.series'`)).toBe(100);
    expect(await count(pond, `SELECT max(n) AS c FROM 'table:///raw.series'`)).toBe(299);
    expect(await count(pond, `SELECT count(*) AS c FROM 'series:///raw.series@v2'`)).toBe(100);
    for (const url of ['series:///one.parquet', 'table:///one.parquet']) {
      expect(await count(pond, `SELECT min(n) AS c FROM '${url}'`), url).toBe(200);
    }
    // Without a cast, raw bytes stay raw data.
    const plain = await pond.sql(`SELECT * FROM '/raw.series'`).catch((e: PondError) => e);
    expect(plain).toMatchObject({ code: 'INVALID_ARGUMENT', path: '/raw.series' });
  });

  it('skips versions by event time as a copied-in series does, from a cache of ranges', async () => {
    const { pond } = await rawPond();
    const sql = `SELECT count(*) AS c FROM 'series:///raw.series' WHERE timestamp >= '2024-01-02T00:30:00Z'`;
    expect(await scan(pond, sql)).toBe('versions=3 versions_skipped=1');
    expect(await count(pond, sql)).toBe(70 + 100);
    const dir = join(pond.path, 'cache', 'parquet-times');
    const entries = (await readdir(dir)).sort();
    expect(entries).toHaveLength(3);
    const ranges = await Promise.all(
      entries.map(async (e) => JSON.parse(await readFile(join(dir, e), 'utf8'))),
    );
    const starts = DAYS.map((d) => Date.parse(`${d}T00:00:00Z`) * 1000);
    expect(ranges.map((r) => [r.column, r.minTime]).sort()).toEqual(
      starts.map((s) => ['timestamp', s]).sort(),
    );
    expect(ranges.every((r, i) => r.maxTime === (ranges[i]?.minTime ?? 0) + 99 * 60_000_000)).toBe(
      true,
    );
    // A damaged entry is not trusted: it is computed again (and rewritten), same answer.
    const first = join(dir, entries[0] as string);
    await writeFile(first, (await readFile(first, 'utf8')).replace(/"minTime":\d+/, '"minTime":1'));
    expect(await scan(pond, sql)).toBe('versions=3 versions_skipped=1');
    expect(JSON.parse(await readFile(first, 'utf8')).minTime).toBe(ranges[0].minTime);
  });

  it('gives INVALID_DATA naming the pond path when the bytes are not Parquet', async () => {
    const { pond } = await rawPond();
    await pond.transaction(async (tx) => {
      await tx.write('/notes.txt', 'not parquet at all');
      await tx.write('/fake.parquet', 'PAR1 but no footer, then PAR1');
    });
    for (const url of ['series:///notes.txt', 'table:///notes.txt', 'table:///fake.parquet']) {
      const err = await pond.sql(`SELECT * FROM '${url}'`).catch((e: PondError) => e);
      const path = url.slice(url.indexOf(':///') + 3);
      expect(err, url).toMatchObject({ code: 'INVALID_DATA', path });
    }
  });

  it('works through the CLI: a raw copy read as a series, and raw text refused', async () => {
    const { p, host } = await pondAndHost();
    const file = join(host, 'r.parquet');
    await writeParquet(file, readingsSql('2024-01-01T00:00:00Z', 100));
    await writeFile(join(host, 'r.txt'), 'hello\n');
    for (const name of ['r.parquet', 'r.txt']) {
      expect((await pondProcess(p, ['copy', `host://${host}/${name}`, `/${name}`])).code).toBe(0);
    }
    const sql = `SELECT count(*) AS c FROM 'series:///r.parquet' WHERE timestamp >= '2024-01-01T01:00:00Z'`;
    const out = await pondProcess(p, ['sql', sql, '--format', 'csv']);
    expect([out.code, out.stdout]).toEqual([0, 'c\n40\n']);
    const cat = await pondProcess(p, ['cat', 'table:///r.parquet', '--format', 'csv']);
    expect(cat.stdout.trim().split('\n')).toHaveLength(101);
    const bad = await pondProcess(p, ['cat', 'series:///r.txt', '--format', 'csv']);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      'Error [INVALID_DATA]: /r.txt (v1): not a valid parquet file (missing PAR1 magic bytes); read raw data through a format instead, e.g. csv:///r.txt\n',
    ]);
  });
});

// SPDX-License-Identifier: Apache-2.0
/** Incremental rollups of temporal-reduce: pure planning, then the cache through the library. */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  mergeSql,
  newVersions,
  partialSql,
  sliceSql,
  watermarkFor,
} from '../../ts/factories/rollup.js';
import { EntryType, Pond, PondError } from '../../ts/index.js';
import { pondOk, readingsSql, tempDir, writeParquet } from '../helpers.js';

describe('rollup planning (pure)', () => {
  const f = (path: string) => ({ path, minTime: 0, maxTime: 1 });

  it('finds new versions per input as multisets of content paths', () => {
    const folded = [
      { label: '/a', paths: ['x', 'y'] },
      { label: '/b', paths: ['u'] },
    ];
    expect(
      newVersions(folded, [
        { label: '/a', files: [f('x'), f('y'), f('z')] },
        { label: '/b', files: [f('u')] },
      ]),
    ).toEqual([[f('z')], []]);
    // A version repeating earlier content is new.
    expect(
      newVersions([{ label: '/a', paths: ['x'] }], [{ label: '/a', files: [f('x'), f('x')] }]),
    ).toEqual([[f('x')]]);
    // A folded version that is gone, or a folded input that is gone: start over.
    expect(
      newVersions(folded, [
        { label: '/a', files: [f('x')] },
        { label: '/b', files: [f('u')] },
      ]),
    ).toBeNull();
    expect(newVersions(folded, [{ label: '/a', files: [f('x'), f('y')] }])).toBeNull();
  });

  it('seals buckets before the newest data minus the lateness, never moving back', () => {
    const min = 60_000_000;
    expect(watermarkFor(145 * min, 10 * 60_000, 30 * 60_000, null)).toBe(110 * min);
    expect(watermarkFor(145 * min, 10 * 60_000, 30 * 60_000, 120 * min)).toBe(120 * min);
  });

  it('writes partial, slice and merge SQL', () => {
    const measures = [
      { name: 'v.avg', agg: 'avg' as const, column: 'v' },
      { name: 'v.min', agg: 'min' as const, column: 'v' },
      { name: 'count', agg: 'count' as const, column: null },
    ];
    expect(partialSql(measures, 't', 60_000, { from: 5 })).toBe(
      `SELECT arrow_cast(date_bin(INTERVAL '60000 milliseconds', "t"), 'Timestamp(Microsecond, Some("UTC"))') AS "t", sum("v") AS p0_sum, count("v") AS p0_count, min("v") AS p1_min, count(*) AS p2_count FROM input WHERE "t" >= to_timestamp_micros(5) GROUP BY 1`,
    );
    expect(sliceSql('open', 't', { below: 7 })).toBe(
      'SELECT * FROM open WHERE "t" < to_timestamp_micros(7)',
    );
    expect(mergeSql(measures, 't', 'parts')).toBe(
      'SELECT "t", sum(p0_sum) AS p0_sum, sum(p0_count) AS p0_count, min(p1_min) AS p1_min, sum(p2_count) AS p2_count FROM parts GROUP BY 1',
    );
  });
});

const T0 = Date.parse('2024-03-01T00:00:00Z');
/** Version k: 2885 one-minute readings, so versions end mid-bucket and buckets span two. */
const SPAN = 2885;
const at = (k: number) => new Date(T0 + k * SPAN * 60_000).toISOString();

const REDUCE =
  'in_pattern: "/in/*.series"\nout_pattern: "$0"\nresolutions: [10m]\nallowed_lateness: 30m\n';
const AGGS =
  'aggregations: [{type: avg, columns: [value]}, {type: min, columns: [n]}, {type: max, columns: [value]}, {type: sum, columns: [n]}, {type: count, columns: ["*"]}]\n';
const ROLLUP = `SELECT timestamp, "value.avg", "n.min", "value.max", "n.sum", "count" FROM '/reduce/s/res=10m.series' ORDER BY 1`;
const DIRECT = `SELECT date_bin(INTERVAL '10 minutes', timestamp, TIMESTAMP '1970-01-01T00:00:00Z') AS timestamp, avg(value), min(n), max(value), sum(n), count(*) FROM '/in/s.series' GROUP BY 1 ORDER BY 1`;

const rows = (t: Table) => t.toArray().map((r) => Object.values(r.toJSON()).map(String).join(','));

async function setup(): Promise<{
  dir: string;
  pond: Pond;
  add: (k: number, sql?: string) => Promise<void>;
}> {
  const dir = await tempDir();
  const pond = await Pond.create(join(dir, 'pond'));
  const add = async (k: number, sql = readingsSql(at(k), SPAN, k * SPAN)) => {
    const file = join(dir, `v${k}.parquet`);
    await writeParquet(file, sql);
    await pond.transaction((tx) =>
      tx.copyIn(file, '/in/s.series', { entryType: EntryType.TablePhysicalSeries }),
    );
  };
  await pond.transaction((tx) => tx.mkdir('/in'));
  return { dir, pond, add };
}

const cacheFiles = async (dir: string) =>
  (await readdir(join(dir, 'pond', 'cache', 'rollups'))).filter((n) => n !== 'inline');

describe('incremental rollups through the library', () => {
  it('stays equal to a full GROUP BY over many appends, cutting and compacting its files', async () => {
    const { dir, pond, add } = await setup();
    await add(0);
    await add(1);
    await pond.transaction((tx) => tx.mknod('/reduce', 'temporal-reduce', REDUCE + AGGS));
    const counts: number[] = [];
    for (let k = 2; k < 22; k++) {
      await add(k);
      expect(rows(await pond.sql(ROLLUP))).toEqual(rows(await pond.sql(DIRECT)));
      const names = await cacheFiles(dir);
      expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
      counts.push(names.filter((n) => n.endsWith('.parquet')).length);
    }
    // Each append seals a few hundred buckets, so each read cuts a segment; past 16 segments
    // they are compacted into one, and superseded files are removed.
    expect(Math.max(...counts)).toBeGreaterThan(10);
    expect(counts.at(-1)).toBeLessThan(Math.max(...counts));
    // A re-read with nothing new writes nothing.
    const before = await cacheFiles(dir);
    expect(rows(await pond.sql(ROLLUP))).toEqual(rows(await pond.sql(DIRECT)));
    expect(await cacheFiles(dir)).toEqual(before);
    // A state file of another layout is ignored: the rollup is recomputed.
    const cache = join(dir, 'pond', 'cache', 'rollups');
    for (const n of before.filter((n) => n.endsWith('.json')))
      await writeFile(join(cache, n), JSON.stringify({ signature: 'x', sealed: null }));
    expect(rows(await pond.sql(ROLLUP))).toEqual(rows(await pond.sql(DIRECT)));
  });

  it('refuses data in sealed buckets (late or repeated versions) until rebuilt', async () => {
    const { dir, pond, add } = await setup();
    for (const k of [0, 1, 2]) await add(k);
    await pond.transaction((tx) => tx.mknod('/reduce', 'temporal-reduce', REDUCE + AGGS));
    await pond.sql(ROLLUP);
    await add(3);
    await pond.sql(ROLLUP);
    // The same bytes as version 1: one more version, wholly in sealed buckets.
    await pond.transaction((tx) =>
      tx.copyIn(join(dir, 'v1.parquet'), '/in/s.series', {
        entryType: EntryType.TablePhysicalSeries,
      }),
    );
    const err = await pond.sql(ROLLUP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PondError);
    expect((err as PondError).code).toBe('INVALID_DATA');
    expect((err as PondError).message).toContain('pond rebuild');
    await pondOk(join(dir, 'pond'), 'rebuild', '/reduce');
    expect(rows(await pond.sql(ROLLUP))).toEqual(rows(await pond.sql(DIRECT)));
    // Late data arriving after the rebuilt cache sealed again.
    await add(4);
    await pond.sql(ROLLUP);
    await add(5, readingsSql(at(2), 10, 7));
    expect(((await pond.sql(ROLLUP).catch((e: unknown) => e)) as PondError).code).toBe(
      'INVALID_DATA',
    );
  });

  it('recomputes the open buckets when new versions lack a measured column', async () => {
    const { pond, add } = await setup();
    // A column may be missing from a version only where it is nullable (SCHEMA_MISMATCH).
    const nullable = (k: number) =>
      `SELECT timestamp, NULLIF(value, -1.0) AS value, n, NULLIF(tag, '') AS tag FROM (${readingsSql(at(k), SPAN, k * SPAN)})`;
    await add(0, nullable(0));
    await add(1, nullable(1));
    await pond.transaction((tx) => tx.mknod('/reduce', 'temporal-reduce', REDUCE + AGGS));
    await pond.sql(ROLLUP);
    const start = Date.parse(at(2));
    await add(
      2,
      `SELECT arrow_cast(to_timestamp_millis(${start} + value * 60000), 'Timestamp(Millisecond, Some("UTC"))') AS timestamp, value AS n FROM generate_series(0, 99) ORDER BY timestamp`,
    );
    expect(rows(await pond.sql(ROLLUP))).toEqual(rows(await pond.sql(DIRECT)));
    await add(3, nullable(3));
    expect(rows(await pond.sql(ROLLUP))).toEqual(rows(await pond.sql(DIRECT)));
  });

  it('folds new versions of one of several inputs into their shared output', async () => {
    const { dir, pond } = await setup();
    const add = async (name: string, k: number, offset: number) => {
      const file = join(dir, `${name}${k}.parquet`);
      await writeParquet(file, readingsSql(at(k), SPAN, offset));
      await pond.transaction((tx) =>
        tx.copyIn(file, `/in/${name}.series`, { entryType: EntryType.TablePhysicalSeries }),
      );
    };
    await add('a', 0, 0);
    await add('b', 0, 1000);
    await pond.transaction((tx) =>
      tx.mknod(
        '/reduce',
        'temporal-reduce',
        REDUCE.replace('"$0"', 'all') +
          'aggregations: [{type: avg}, {type: count, columns: ["*"]}]\n',
      ),
    );
    const rollup = `SELECT timestamp, "value.avg", "n.avg", "count" FROM '/reduce/all/res=10m.series' ORDER BY 1`;
    const direct = `SELECT date_bin(INTERVAL '10 minutes', timestamp, TIMESTAMP '1970-01-01T00:00:00Z') AS timestamp, avg(value), avg(n), count(*) FROM '/in/*.series' GROUP BY 1 ORDER BY 1`;
    expect(rows(await pond.sql(rollup))).toEqual(rows(await pond.sql(direct)));
    await add('a', 1, 5);
    expect(rows(await pond.sql(rollup))).toEqual(rows(await pond.sql(direct)));
    await add('b', 2, 9);
    await add('a', 2, 3);
    expect(rows(await pond.sql(rollup))).toEqual(rows(await pond.sql(direct)));
  });
});

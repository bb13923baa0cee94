// SPDX-License-Identifier: Apache-2.0
/**
 * Temporal bounds of a series (`tx.setTemporalBounds`, `pond set-temporal-bounds`): stored
 * in the original DuckPond's on-disk form, applied to every read, in any time unit. Real
 * ponds, real Delta and DataFusion.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { boundsOf } from '../../ts/query/temporal-bounds.js';
import type { VersionRecord } from '../../ts/tinyfs/persistence.js';
import { codeOf, readingsSql, tempDir, writeParquet } from '../helpers.js';

const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03'];
const ms = (iso: string) => Date.parse(iso);

/** A pond with `/s.series`: one version per day of DAYS, 100 one-minute readings each. */
async function seriesPond(): Promise<{ pond: Pond; dir: string }> {
  const dir = await tempDir();
  const pond = await Pond.create(join(dir, 'p'));
  for (const [i, day] of DAYS.entries()) {
    const file = join(dir, `d${i}.parquet`);
    await writeParquet(file, readingsSql(`${day}T00:00:00Z`, 100, i * 100));
    await pond.transaction((tx) =>
      tx.copyIn(file, '/s.series', { entryType: EntryType.TablePhysicalSeries }),
    );
  }
  return { pond, dir };
}

async function count(pond: Pick<Pond, 'sql'>, sql: string): Promise<number> {
  return Number((await pond.sql(sql)).getChild('c')?.get(0));
}

/** How many readings of seriesPond's days fall in [from, to] (ISO, inclusive). */
function expectedRows(from: string | null, to: string | null): number {
  let n = 0;
  for (const day of DAYS) {
    for (let i = 0; i < 100; i++) {
      const t = ms(`${day}T00:00:00Z`) + i * 60_000;
      if ((from === null || t >= ms(from)) && (to === null || t <= ms(to))) n++;
    }
  }
  return n;
}

describe('temporal bounds', () => {
  it("stores a 0-byte version with the bounds in milliseconds, in the original's form", async () => {
    const { pond, dir } = await seriesPond();
    await pond.transaction((tx) =>
      tx.setTemporalBounds('/s.series', {
        min: new Date('2024-01-02T00:30:00Z'),
        max: ms('2024-01-03T00:10:00Z'),
      }),
    );
    const versions = await pond.versions('/s.series');
    expect(versions.map((v) => [v.version, (v.size ?? 0) > 0])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
    ]);
    expect(versions[3]?.size).toBe(0);
    // The oplog's own Parquet files, read as host files: the row the marker wrote.
    const rows = await pond.sql(
      `SELECT file_type, version, size, min_event_time, max_event_time, min_override, max_override, extended_attributes
       FROM 'host+series://${dir}/p/data/**/*.parquet' WHERE size = 0`,
    );
    expect(rows.toArray().map((r) => ({ ...r.toJSON() }))).toEqual([
      {
        file_type: 'table:physical:series',
        version: 4n,
        size: 0n,
        min_event_time: 0n,
        max_event_time: 0n,
        min_override: BigInt(ms('2024-01-02T00:30:00Z')),
        max_override: BigInt(ms('2024-01-03T00:10:00Z')),
        extended_attributes: '{"watertown.timestamp_column":""}',
      },
    ]);
  });

  it('leaves rows outside the bounds out of queries, pinned versions and derived nodes', async () => {
    const { pond } = await seriesPond();
    const [from, to] = ['2024-01-02T00:30:00Z', '2024-01-03T00:10:00Z'];
    await pond.transaction(async (tx) => {
      await tx.setTemporalBounds('/s.series', { min: ms(from), max: ms(to) });
      await tx.mknod('/derived', 'sql-derived-series', 'patterns:\n  source: /s.series\n');
    });
    expect(await count(pond, `SELECT count(*) AS c FROM '/s.series'`)).toBe(expectedRows(from, to));
    expect(await count(pond, `SELECT count(*) AS c FROM 'series:///s.series'`)).toBe(81);
    expect(await count(pond, `SELECT count(*) AS c FROM '/derived'`)).toBe(81);
    expect(await count(pond, `SELECT count(*) AS c FROM '/s.series@v1'`)).toBe(0);
    expect(await count(pond, `SELECT count(*) AS c FROM '/s.series@v2'`)).toBe(70);
    const edges = await pond.sql(
      `SELECT min(timestamp) AS lo, max(timestamp) AS hi FROM '/s.series'`,
    );
    expect([edges.getChild('lo')?.get(0), edges.getChild('hi')?.get(0)]).toEqual([
      ms(from),
      ms(to),
    ]);
    const marker = await codeOf(pond.sql(`SELECT count(*) FROM '/s.series@v4'`));
    expect(marker).toBe('INVALID_ARGUMENT');
  });

  it('takes one bound as an open end, keeps bounds over later versions, and clears them', async () => {
    const { pond, dir } = await seriesPond();
    const total = `SELECT count(*) AS c FROM '/s.series'`;
    await pond.transaction((tx) =>
      tx.setTemporalBounds('/s.series', { max: ms('2024-01-01T00:09:00Z') }),
    );
    expect(await count(pond, total)).toBe(10);
    await pond.transaction((tx) =>
      tx.setTemporalBounds('/s.series', { min: ms('2024-01-03T01:00:00Z') }),
    );
    expect(await count(pond, total)).toBe(expectedRows('2024-01-03T01:00:00Z', null));
    const day4 = join(dir, 'd3.parquet');
    await writeParquet(day4, readingsSql('2024-01-04T00:00:00Z', 100, 300));
    await pond.transaction((tx) =>
      tx.copyIn(day4, '/s.series', { entryType: EntryType.TablePhysicalSeries }),
    );
    expect(await count(pond, total)).toBe(40 + 100);
    await pond.transaction((tx) => tx.setTemporalBounds('/s.series', null));
    expect(await count(pond, total)).toBe(400);
    // The pond as it was before the first bounds: unbounded.
    const seqs = (await pond.transactions()).map((t) => t.seq).sort((a, b) => a - b);
    const beforeBounds = seqs[seqs.length - 5] as number;
    expect(await count(await pond.at(beforeBounds), total)).toBe(300);
  });

  it("compares in the time column's own unit, whatever the column is called", async () => {
    const dir = await tempDir();
    const pond = await Pond.create(join(dir, 'p'));
    const start = ms('2024-05-01T00:00:00Z') / 1000;
    const columns: [string, string][] = [
      ['event_time', `arrow_cast(${start} + value, 'Timestamp(Second, Some("UTC"))')`],
      ['time', `arrow_cast((${start} + value) * 1000000000, 'Timestamp(Nanosecond, None)')`],
      ['ts', `(${start} + value) * 1000000`],
    ];
    for (const [name, expr] of columns) {
      const file = join(dir, `${name}.parquet`);
      await writeParquet(file, `SELECT ${expr} AS ${name}, value FROM generate_series(0, 9)`);
      await pond.transaction(async (tx) => {
        await tx.copyIn(file, `/${name}.series`, { entryType: EntryType.TablePhysicalSeries });
        // Sub-second bounds: 00:00:01.500 to 00:00:04.500 keep seconds 2, 3 and 4.
        await tx.setTemporalBounds(`/${name}.series`, {
          min: start * 1000 + 1500,
          max: start * 1000 + 4500,
        });
      });
      const kept = await pond.sql(`SELECT value FROM '/${name}.series' ORDER BY value`);
      expect(
        kept.toArray().map((r) => Number(r.value)),
        name,
      ).toEqual([2, 3, 4]);
    }
  });

  it('creates a missing path as a series holding only the bounds', async () => {
    const { pond, dir } = await seriesPond();
    await pond.transaction((tx) =>
      tx.setTemporalBounds('/new.series', { min: ms('2024-01-01T00:50:00Z') }),
    );
    expect((await pond.versions('/new.series')).map((v) => v.size)).toEqual([0]);
    expect((await pond.sql(`SELECT * FROM '/new.series'`)).numRows).toBe(0);
    await pond.transaction((tx) =>
      tx.copyIn(join(dir, 'd0.parquet'), '/new.series', {
        entryType: EntryType.TablePhysicalSeries,
      }),
    );
    expect(await count(pond, `SELECT count(*) AS c FROM '/new.series'`)).toBe(50);
  });

  it('refuses anything but a series, or bad bounds, and leaves the pond as it was', async () => {
    const { pond, dir } = await seriesPond();
    await pond.transaction((tx) =>
      tx.copyIn(join(dir, 'd0.parquet'), '/t.table', { entryType: EntryType.TablePhysicalVersion }),
    );
    const before = await pond.transactions();
    const attempts: [string, Parameters<Pond['transaction']>[0]][] = [
      ['a table', (tx) => tx.setTemporalBounds('/t.table', { min: 0 })],
      ['no bounds', (tx) => tx.setTemporalBounds('/s.series', {})],
      ['min after max', (tx) => tx.setTemporalBounds('/s.series', { min: 10, max: 5 })],
      ['not whole ms', (tx) => tx.setTemporalBounds('/s.series', { min: 1.5 })],
    ];
    for (const [what, fn] of attempts) {
      expect(await codeOf(pond.transaction(fn)), what).toBe('INVALID_ARGUMENT');
    }
    expect((await pond.versions('/s.series')).length).toBe(3);
    expect((await pond.versions('/t.table')).length).toBe(1);
    const after = await pond.transactions();
    expect(after.filter((t) => t.status === 'COMMITTED').length).toBe(
      before.filter((t) => t.status === 'COMMITTED').length,
    );
  });
});

describe('which version decides the bounds', () => {
  const v = (version: number, size: number, min?: number | null, max?: number | null) =>
    ({
      version,
      size,
      minOverride: min ?? null,
      maxOverride: max ?? null,
    }) as VersionRecord;

  it('is the newest marker or version with override columns; data after it keeps them', () => {
    expect(boundsOf([v(1, 10), v(2, 10)])).toBeNull();
    expect(boundsOf([v(1, 10), v(2, 0, 5, 9), v(3, 10)])).toEqual({ minMs: 5, maxMs: 9 });
    expect(boundsOf([v(1, 0, 5, 9), v(2, 0, null, 7)])).toEqual({ minMs: null, maxMs: 7 });
    expect(boundsOf([v(1, 0, 5, 9), v(2, 10), v(3, 0)])).toBeNull();
    // The original also moves override attributes of a data version into these columns.
    expect(boundsOf([v(1, 0, 5, 9), v(2, 10, 1, 2)])).toEqual({ minMs: 1, maxMs: 2 });
  });
});

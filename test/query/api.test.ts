// SPDX-License-Identifier: Apache-2.0
/** The library's SQL API: Arrow tables and streams from real DataFusion over a real pond. */
import { join } from 'node:path';
import { DataType, type Table, TimeUnit } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { readingsSql, tempDir, writeParquet } from '../helpers.js';

async function pondWithSeries(): Promise<{ pond: Pond; dir: string }> {
  const dir = await tempDir();
  const pond = await Pond.create(join(dir, 'p'));
  const file = join(dir, 'v1.parquet');
  await writeParquet(file, readingsSql('2024-03-01T00:00:00Z', 50));
  await pond.transaction(async (tx) => {
    await tx.mkdir('/sensors');
    await tx.copyIn(file, '/sensors/a.series', { entryType: EntryType.TablePhysicalSeries });
  });
  return { pond, dir };
}

describe('Pond.sql and Pond.stream', () => {
  it('returns an Arrow Table with bigint Int64 and UTC timestamps', async () => {
    const { pond } = await pondWithSeries();
    const table: Table = await pond.sql(
      `SELECT timestamp, n, value, tag FROM '/sensors/a.series' ORDER BY n LIMIT 3`,
    );
    expect(table.numRows).toBe(3);
    const ts = table.schema.fields[0];
    expect(DataType.isTimestamp(ts?.type)).toBe(true);
    expect(ts?.type).toMatchObject({ unit: TimeUnit.MICROSECOND, timezone: 'UTC' });
    expect(table.schema.fields.map((f) => String(f.type))).toEqual([
      'Timestamp<MICROSECOND, UTC>',
      'Int64',
      'Float64',
      'Utf8',
    ]);
    expect(table.getChild('n')?.get(2)).toBe(2n);
    expect(table.getChild('tag')?.get(1)).toBe('odd');
  });

  it('streams batches and gives a typed empty result', async () => {
    const { pond } = await pondWithSeries();
    let rows = 0;
    for await (const batch of pond.stream(`SELECT n FROM '/sensors/*.series'`))
      rows += batch.numRows;
    expect(rows).toBe(50);
    const empty = await pond.sql(`SELECT n FROM '/sensors/a.series' WHERE n < 0`);
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(['n']);
  });

  it('sees uncommitted versions inside a transaction', async () => {
    const { pond, dir } = await pondWithSeries();
    const v2 = join(dir, 'v2.parquet');
    await writeParquet(v2, readingsSql('2024-03-02T00:00:00Z', 25, 1000));
    await pond.transaction(async (tx) => {
      await tx.copyIn(v2, '/sensors/a.series', { entryType: EntryType.TablePhysicalSeries });
      const inside = await tx.sql(`SELECT count(*) AS c FROM '/sensors/a.series'`);
      expect(inside.getChild('c')?.get(0)).toBe(75n);
      const outside = await pond.sql(`SELECT count(*) AS c FROM '/sensors/a.series'`);
      expect(outside.getChild('c')?.get(0)).toBe(50n);
    });
  });

  it('fails with codes, writing nothing', async () => {
    const { pond, dir } = await pondWithSeries();
    await expect(pond.sql('SELEC 1')).rejects.toMatchObject({ code: 'SQL' });
    await expect(pond.sql(`SELECT * FROM '/missing.series'`)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path: '/missing.series',
    });
    const bad = join(dir, 'bad.parquet');
    await (await import('node:fs/promises')).writeFile(bad, 'not parquet');
    await expect(
      pond.transaction((tx) =>
        tx.copyIn(bad, '/sensors/b.series', { entryType: EntryType.TablePhysicalSeries }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_DATA' });
    expect((await pond.list('/sensors/*')).map((e) => e.path)).toEqual(['/sensors/a.series']);
  });
});

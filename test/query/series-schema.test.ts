// SPDX-License-Identifier: Apache-2.0
// The versions of a series share one schema: a new version that the series could not read
// back is refused with SCHEMA_MISMATCH before anything is committed; added columns and
// widening casts are accepted and unified at read; and a pond that already holds
// mismatched versions (written before the check) still reads.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond, PondError } from '../../ts/index.js';
import type { WD } from '../../ts/tinyfs/fs.js';
import {
  codeOf,
  dataVersion,
  pond,
  pondAndHost,
  pondOk,
  tempDir,
  writeParquet,
} from '../helpers.js';

const SERIES = { entryType: EntryType.TablePhysicalSeries };

/** Three rows from `day`, with `columns` (SQL select items over `value`) after the time. */
function version(day: string, columns: string): string {
  return `SELECT to_timestamp_micros(${Date.parse(day) * 1000} + value * 60000000) AS timestamp, ${columns}
    FROM generate_series(0, 2)`;
}

async function seriesPond(first: string): Promise<Pond> {
  const pond = await Pond.create(join(await tempDir(), 'p'));
  await pond.transaction((tx) => tx.writeSql('/s.series', version('2024-01-01', first), SERIES));
  return pond;
}

/** Each column's type as the engine reads it (`arrow_typeof`: the library's Arrow output
 * normalises timestamp units). */
async function columnTypes(pond: Pond): Promise<Record<string, string>> {
  const names = (await pond.sql(`SELECT * FROM '/s.series' LIMIT 0`)).schema.fields.map(
    (f) => f.name,
  );
  const types = names.map((n) => `arrow_typeof("${n}") AS "${n}"`).join(', ');
  const row = (await pond.sql(`SELECT ${types} FROM '/s.series' LIMIT 1`)).toArray()[0];
  return Object.fromEntries(names.map((n) => [n, String(row?.[n])]));
}

// Each case: the first version's columns, the second's, and what the series reads as.
const ACCEPTED: [string, string, string, Record<string, string>][] = [
  [
    'an added nullable column',
    `'a' AS site`,
    `'a' AS site, CAST(NULL AS DOUBLE) AS depth`,
    { site: 'Utf8', depth: 'Float64' },
  ],
  ['an added non-null column', `'a' AS site`, `'a' AS site, 1.5 AS depth`, { depth: 'Float64' }],
  [
    'a dropped nullable column',
    `'a' AS site, CAST(NULL AS INT) AS q`,
    `'b' AS site`,
    { q: 'Int32' },
  ],
  ['Int32 to Int64', 'CAST(value AS INT) AS n', 'CAST(value AS BIGINT) AS n', { n: 'Int64' }],
  ['Int64 to Int32', 'CAST(value AS BIGINT) AS n', 'CAST(value AS INT) AS n', { n: 'Int64' }],
  [
    'Float32 to Float64',
    'CAST(value AS FLOAT) AS x',
    'CAST(value AS DOUBLE) AS x',
    { x: 'Float64' },
  ],
  [
    'an integer to a float',
    'CAST(value AS BIGINT) AS x',
    'CAST(value AS DOUBLE) AS x',
    { x: 'Float64' },
  ],
  [
    'a timestamp unit',
    `arrow_cast(now(), 'Timestamp(Millisecond, Some("UTC"))') AS at`,
    `arrow_cast(now(), 'Timestamp(Microsecond, Some("UTC"))') AS at`,
    { at: 'Timestamp(µs, "UTC")' },
  ],
];

// Each case: the first version's columns, the second's, and what the error must name.
const REFUSED: [string, string, string, string[]][] = [
  ['a missing non-null column', `'a' AS site, 1 AS n`, '1 AS n', ["'site'", 'Utf8 not null']],
  ['a type change', `'a' AS site`, '7 AS site', ["'site'", 'Utf8', 'Int64']],
  ['a number to text', 'CAST(value AS DOUBLE) AS x', `'7' AS x`, ["'x'", 'Float64', 'Utf8']],
  ['a boolean to a number', 'true AS ok', '1 AS ok', ["'ok'", 'Boolean', 'Int64']],
];

describe('a new series version is checked against the series', () => {
  it.each(ACCEPTED)(
    'accepts %s and reads both versions as one schema',
    async (_, v1, v2, types) => {
      const pond = await seriesPond(v1);
      await pond.transaction((tx) => tx.writeSql('/s.series', version('2024-01-02', v2), SERIES));
      expect(await columnTypes(pond)).toMatchObject(types);
      const t = await pond.sql(`SELECT count(*) AS n FROM '/s.series'`);
      expect(Number(t.getChild('n')?.get(0))).toBe(6);
    },
  );

  it.each(REFUSED)(
    'refuses %s with SCHEMA_MISMATCH, committing nothing',
    async (_, v1, v2, named) => {
      const pond = await seriesPond(v1);
      const err = await pond
        .transaction(async (tx) => {
          await tx.write('/other.txt', 'written in the same transaction');
          await tx.writeSql('/s.series', version('2024-01-02', v2), SERIES);
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(PondError);
      expect((err as PondError).code).toBe('SCHEMA_MISMATCH');
      expect((err as PondError).path).toBe('/s.series');
      for (const text of ['/s.series', ...named]) expect((err as Error).message).toContain(text);
      expect(await codeOf(pond.read('/other.txt'))).toBe('NOT_FOUND');
      const t = await pond.sql(`SELECT count(*) AS n FROM '/s.series'`);
      expect(Number(t.getChild('n')?.get(0))).toBe(3);
    },
  );

  it('refuses a new version that names another time column', async () => {
    const pond = await seriesPond('to_timestamp_micros(0) AS other');
    const err = pond.transaction((tx) =>
      tx.writeSql('/s.series', version('2024-01-02', 'to_timestamp_micros(0) AS other'), {
        ...SERIES,
        timeColumn: 'other',
      }),
    );
    await expect(err).rejects.toThrow(/time column is "timestamp", not "other"/);
    expect(await codeOf(err)).toBe('SCHEMA_MISMATCH');
  });
});

/** Append `sql`'s rows to /s.series below the check, as a pond from before it may hold them. */
async function appendUnchecked(pond: Pond, sql: string): Promise<void> {
  const file = join(await tempDir(), 'v.parquet');
  await writeParquet(file, sql);
  await pond.transaction(async (tx) => {
    const root = (tx as unknown as { root: WD }).root;
    await root.writeFile(
      '/s.series',
      { kind: 'hostFile', path: file },
      { entryType: EntryType.TablePhysicalSeries, meta: {} },
    );
  });
}

describe('a pond that already holds mismatched versions', () => {
  it('reads a column missing from a later version as null', async () => {
    const pond = await seriesPond(`'north' AS site, value AS n`);
    await appendUnchecked(pond, version('2024-01-02', 'value AS n'));
    const t = await pond.sql(
      `SELECT count(*) AS n, count(site) AS sites, sum(n) AS total FROM '/s.series'`,
    );
    expect([t.getChild('n')?.get(0), t.getChild('sites')?.get(0)].map(Number)).toEqual([6, 3]);
    expect(Number(t.getChild('total')?.get(0))).toBe(6);
  });

  it('reads a column whose type changed between versions as text', async () => {
    const pond = await seriesPond(`'7' AS code`);
    await appendUnchecked(pond, version('2024-01-02', '8 AS code'));
    const t = await pond.sql(`SELECT DISTINCT code FROM '/s.series' ORDER BY code`);
    expect(t.toArray().map((r) => r.code)).toEqual(['7', '8']);
  });
});

describe('pond copy of a mismatched series version', () => {
  it('fails with SCHEMA_MISMATCH and its exit status, and commits nothing', async () => {
    const { p, host } = await pondAndHost();
    await writeParquet(join(host, 'v1.parquet'), version('2024-01-01', `'a' AS site, 1 AS n`));
    await writeParquet(join(host, 'v2.parquet'), version('2024-01-02', '1 AS n'));
    await pondOk(p, 'copy', `host+series://${join(host, 'v1.parquet')}`, '/s.series');
    const before = await dataVersion(p);
    const r = await pond(p, 'copy', `host+series://${join(host, 'v2.parquet')}`, '/s.series');
    expect(r.stderr).toMatch(/^Error \[SCHEMA_MISMATCH\]: \/s\.series: .*'site'/);
    expect(r.code).toBe(5);
    expect(await dataVersion(p)).toBe(before);
  });
});

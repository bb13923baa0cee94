// SPDX-License-Identifier: Apache-2.0
/**
 * `$POND/cache` is derived and never trusted: an altered inline-content file, parsed-format
 * file, rollup partial or rollup state changes no result, and the entry is rebuilt.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { readingsSql, tempDir, writeParquet } from '../helpers.js';

const CSV = 'x,y\n1,a\n2,b\n3,c\n';
const SUM = `SELECT sum(x) AS s FROM 'csv:///r.csv'`;
const sumOf = (t: Table) => Number(t.getChild('s')?.get(0));

async function csvPond(): Promise<{ dir: string; p: string; pond: Pond }> {
  const dir = await tempDir();
  const p = join(dir, 'pond');
  const pond = await Pond.create(p);
  await pond.transaction((tx) => tx.write('/r.csv', CSV));
  expect(sumOf(await pond.sql(SUM))).toBe(6);
  return { dir, p, pond };
}

const only = async (dir: string, suffix: string): Promise<string> => {
  const names = (await readdir(dir)).filter((n) => n.endsWith(suffix));
  expect(names).toHaveLength(1);
  return join(dir, names[0] as string);
};

describe('cache entries are validated before use', () => {
  it('a parsed-format file replaced by other Parquet is rebuilt', async () => {
    const { dir, p, pond } = await csvPond();
    const file = await only(join(p, 'cache', 'formats'), '.parquet');
    await writeParquet(join(dir, 'other.parquet'), 'SELECT 100 AS x');
    await writeFile(file, await readFile(join(dir, 'other.parquet')));
    expect(sumOf(await (await Pond.open(p)).sql(SUM))).toBe(6);
    expect(sumOf(await pond.sql(SUM))).toBe(6);
    expect(await readFile(await only(join(p, 'cache', 'formats'), '.parquet'))).not.toEqual(
      await readFile(join(dir, 'other.parquet')),
    );
  });

  it('a parsed-format file with a flipped byte (same size) is rebuilt', async () => {
    const { p } = await csvPond();
    const file = await only(join(p, 'cache', 'formats'), '.parquet');
    const good = await readFile(file);
    const bad = Buffer.from(good);
    const mid = Math.floor(bad.length / 2);
    bad.writeUInt8(bad.readUInt8(mid) ^ 0xff, mid);
    await writeFile(file, bad);
    expect(sumOf(await (await Pond.open(p)).sql(SUM))).toBe(6);
    expect(await readFile(await only(join(p, 'cache', 'formats'), '.parquet'))).toEqual(good);
  });

  it('an altered inline-content file is rewritten before the engine reads it', async () => {
    const { p } = await csvPond();
    const file = await only(join(p, 'cache', 'inline'), '');
    await writeFile(file, 'x,y\n100,a\n');
    await rm(join(p, 'cache', 'formats'), { recursive: true });
    expect(sumOf(await (await Pond.open(p)).sql(SUM))).toBe(6);
    expect(await readFile(file, 'utf8')).toBe(CSV);
  });

  it('an altered rollup partial or rollup state is rebuilt', async () => {
    const dir = await tempDir();
    const p = join(dir, 'pond');
    const pond = await Pond.create(p);
    for (const [k, day] of ['2024-01-01', '2024-01-02'].entries()) {
      const file = join(dir, `v${k}.parquet`);
      await writeParquet(file, readingsSql(`${day}T00:00:00Z`, 600, k * 600));
      await pond.transaction(async (tx) => {
        await tx.mkdir('/in', { parents: true });
        await tx.copyIn(file, '/in/s.series', { entryType: EntryType.TablePhysicalSeries });
      });
    }
    await pond.transaction((tx) =>
      tx.mknod(
        '/reduce',
        'temporal-reduce',
        'in_pattern: "/in/*.series"\nout_pattern: "$0"\nresolutions: [1h]\naggregations: [{type: sum, columns: [n]}, {type: count, columns: ["*"]}]\n',
      ),
    );
    const total = `SELECT sum("n.sum") AS s, sum("count") AS c FROM '/reduce/s/res=1h.series'`;
    const expected = (await pond.sql(total)).toArray().map((r) => r.toJSON());
    expect(expected).toEqual([{ s: BigInt((1200 * 1199) / 2), c: 1200n }]);
    const cache = join(p, 'cache', 'rollups');
    const read = async () =>
      (await (await Pond.open(p)).sql(total)).toArray().map((r) => r.toJSON());

    // A partial file replaced by other Parquet (its name no longer matches its bytes).
    const partials = (await readdir(cache)).filter((n) => n.endsWith('.parquet'));
    await writeParquet(join(dir, 'bogus.parquet'), `SELECT 1 AS x`);
    for (const n of partials)
      await writeFile(join(cache, n), await readFile(join(dir, 'bogus.parquet')));
    expect(await read()).toEqual(expected);
    for (const n of (await readdir(cache)).filter((n) => n.endsWith('.parquet'))) {
      expect(await readFile(join(cache, n))).not.toEqual(
        await readFile(join(dir, 'bogus.parquet')),
      );
    }

    // A state file edited to drop its sealed segments: not used.
    const state = await only(cache, '.json');
    const text = await readFile(state, 'utf8');
    expect(text).toMatch(/"segments":\["[^\]]+\]/);
    await writeFile(state, text.replace(/"segments":\[[^\]]*\]/, '"segments":[]'));
    expect(await read()).toEqual(expected);
    expect(await readFile(state, 'utf8')).toMatch(/"segments":\["[^\]]+\]/);
  });
});

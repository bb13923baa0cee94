// SPDX-License-Identifier: Apache-2.0
/** timeseries-join, timeseries-pivot and column-rename: pure SQL planning and real queries. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { renameSelect } from '../../ts/factories/column-rename.js';
import { joinSql } from '../../ts/factories/timeseries-join.js';
import { pivotSql } from '../../ts/factories/timeseries-pivot.js';
import { pond, pondAndHost, pondOk, readingsSql, writeParquet } from '../helpers.js';

describe('planning (pure)', () => {
  it('joins scopes on a coalesced time column with Scope.Column names', () => {
    expect(
      joinSql(
        [
          { name: 'A', columns: ['t', 'x'] },
          { name: 'B', columns: ['y', 't'] },
        ],
        't',
      ),
    ).toBe(
      'SELECT COALESCE(s0."t", s1."t") AS "t", s0."x" AS "A.x", s1."y" AS "B.y" FROM s0 FULL OUTER JOIN s1 ON s0."t" = s1."t" ORDER BY 1',
    );
    expect(
      joinSql(
        [
          { name: 'A', columns: ['t'] },
          { name: 'B', columns: ['t'] },
          { name: 'C', columns: ['t'] },
        ],
        't',
      ),
    ).toContain('FULL OUTER JOIN s2 ON COALESCE(s0."t", s1."t") = s2."t"');
  });

  it('pivots with NULL for missing columns', () => {
    const sql = pivotSql(
      [
        { alias: 'a', columns: ['t', 'v'] },
        { alias: 'b', columns: ['t'] },
      ],
      ['v'],
      't',
    );
    expect(sql).toBe(
      'SELECT times."t" AS "t", m0."v" AS "a.v", CAST(NULL AS DOUBLE) AS "b.v" FROM (SELECT "t" FROM m0 UNION SELECT "t" FROM m1) AS times LEFT JOIN m0 ON times."t" = m0."t" LEFT JOIN m1 ON times."t" = m1."t" ORDER BY 1',
    );
  });

  it('renames by direct and pattern rules in order', () => {
    const rules = {
      rules: [
        { type: 'direct' as const, from: 'Temp (C)', to: 'temp', cast: 'float64' as const },
        { type: 'pattern' as const, pattern: '^raw_(.*)$', replacement: '$1' },
      ],
    };
    expect(renameSelect(rules, ['Temp (C)', 'raw_level', 'ts'])).toBe(
      'CAST("Temp (C)" AS DOUBLE) AS "temp", "raw_level" AS "level", "ts" AS "ts"',
    );
  });
});

let p = '';
let host = '';

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
});

async function mknod(factory: string, path: string, text: string): Promise<void> {
  const file = join(host, `${path.replace(/\//g, '_')}.yaml`);
  await writeFile(file, text);
  await pondOk(p, 'mknod', factory, path, file);
}

const station = (start: string, end: string, name: string, amplitude: number) =>
  `start: ${start}\nend: ${end}\ninterval: 10m\npoints:\n  - name: ${name}\n    components: [{type: line, slope: 0, offset: ${amplitude}}]\n`;

const csv = async (sql: string) =>
  (await pondOk(p, 'sql', sql, '--format', 'csv')).stdout.trim().split('\n');

describe('timeseries-join', () => {
  it('joins two stations with overlapping ranges', async () => {
    await mknod(
      'synthetic-timeseries',
      '/a',
      station('2024-01-01T00:00:00Z', '2024-01-01T02:00:00Z', 'temp', 1),
    );
    await mknod(
      'synthetic-timeseries',
      '/b',
      station('2024-01-01T01:00:00Z', '2024-01-01T03:00:00Z', 'temp', 2),
    );
    await mknod(
      'timeseries-join',
      '/joined',
      'inputs:\n  - {pattern: /a, scope: North}\n  - {pattern: /b, scope: South}\n  - {pattern: "/none/*.series", scope: Gone}\n',
    );
    const [header, ...rows] = await csv(`SELECT * FROM '/joined'`);
    expect(header).toBe('timestamp,North.temp,South.temp');
    expect(rows).toHaveLength(19); // 00:00..03:00 every 10 minutes: distinct times of the union
    const counts = await csv(
      `SELECT count("North.temp") AS n, count("South.temp") AS s, count(*) FILTER (WHERE "North.temp" IS NOT NULL AND "South.temp" IS NOT NULL) AS both FROM '/joined'`,
    );
    expect(counts).toEqual(['n,s,both', '13,13,7']);
    const catted = (await pondOk(p, 'cat', '/joined', '--format', 'csv')).stdout
      .trim()
      .split('\n')
      .slice(1);
    const times = catted.map((line) => line.split(',')[0] as string);
    expect(times).toEqual([...times].sort());
    expect(times).toHaveLength(19);
    const outside = await csv(
      `SELECT count(*) AS c FROM '/joined' WHERE timestamp < '2024-01-01T01:00:00Z' AND "South.temp" IS NULL`,
    );
    expect(outside).toEqual(['c', '6']);
  });

  it('stitches a replaced device into one scope, each trimmed to its range, with transforms', async () => {
    await writeParquet(join(host, 'old.parquet'), readingsSql('2024-01-01T00:00:00Z', 120, 0));
    await writeParquet(join(host, 'new.parquet'), readingsSql('2024-01-01T01:00:00Z', 120, 1000));
    await pondOk(p, 'copy', `host+series://${host}/old.parquet`, '/old.series');
    await pondOk(p, 'copy', `host+series://${host}/new.parquet`, '/new.series');
    await mknod(
      'column-rename',
      '/rename',
      'rules:\n  - {type: direct, from: n, to: reading}\n  - {type: pattern, pattern: "^val(.*)$", replacement: "v$1"}\n',
    );
    const cfg = [
      'time_column: timestamp',
      'inputs:',
      '  - {pattern: /old.series, scope: Well, range: {end: "2024-01-01T01:30:00Z"}, transforms: [/rename]}',
      '  - {pattern: /new.series, scope: Well, range: {begin: "2024-01-01T01:30:00Z"}, transforms: [/rename]}',
      '',
    ].join('\n');
    await mknod('timeseries-join', '/well', cfg);
    const [header, ...rows] = await csv(`SELECT * FROM '/well'`);
    expect(header).toBe('timestamp,Well.vue,Well.reading,Well.tag');
    expect(rows).toHaveLength(90 + 90); // old until 01:30 (90 rows), new from 01:30 to 02:59 (90 rows)
    expect(
      await csv(
        `SELECT min("Well.reading") AS lo, max("Well.reading") AS hi FROM '/well' WHERE timestamp >= '2024-01-01T01:30:00Z'`,
      ),
    ).toEqual(['lo,hi', '1030,1119']);
  });

  it('rejects a transform path that is not a transform', async () => {
    await mknod(
      'synthetic-timeseries',
      '/a',
      station('2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', 't', 1),
    );
    const file = join(host, 'j.yaml');
    await writeFile(file, 'inputs:\n  - {pattern: /a, transforms: [/a]}\n');
    const refused = await pond(p, 'mknod', 'timeseries-join', '/j', file);
    expect(refused.stderr).toContain('[INVALID_CONFIG]: /a: not a transform node');
    await pondOk(p, 'mknod', 'timeseries-join', '/j', file, '--no-check');
    expect((await pond(p, 'sql', `SELECT * FROM '/j'`)).stderr).toContain(
      '/a: not a transform node',
    );
  });
});

describe('timeseries-pivot', () => {
  it('gives alias.column names and NULL where a series has no data', async () => {
    await pondOk(p, 'mkdir', '/st');
    await mknod(
      'synthetic-timeseries',
      '/st/north',
      station('2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', 'temp', 1),
    );
    await mknod(
      'synthetic-timeseries',
      '/st/south',
      station('2024-01-01T00:30:00Z', '2024-01-01T01:30:00Z', 'level', 2),
    );
    await mknod('timeseries-pivot', '/pivot', 'pattern: "/st/*"\ncolumns: [temp, level]\n');
    const [header, ...rows] = await csv(`SELECT * FROM '/pivot'`);
    expect(header).toBe('timestamp,north.temp,north.level,south.temp,south.level');
    expect(rows).toHaveLength(10); // 00:00..01:30
    expect(
      await csv(
        `SELECT count("north.temp") AS a, count("south.level") AS b, count("north.level") AS c FROM '/pivot'`,
      ),
    ).toEqual(['a,b,c', '7,7,0']);
  });
});

describe('temporal-reduce', () => {
  it('reduces a one-minute sine over a day to hourly avg/min/max buckets', async () => {
    await pondOk(p, 'mkdir', '/sensors');
    await mknod(
      'synthetic-timeseries',
      '/sensors/sine',
      'start: 2024-01-01T00:00:00Z\nend: 2024-01-02T00:00:00Z\ninterval: 1m\npoints:\n  - name: v\n    components: [{type: sine, amplitude: 3, period: 5h, offset: 1}]\n',
    );
    await mknod(
      'temporal-reduce',
      '/reduced',
      [
        'in_pattern: "/sensors/*"',
        'out_pattern: "$0"',
        'resolutions: [1h, 6h]',
        'aggregations:',
        '  - {type: avg}',
        '  - {type: min, columns: [v]}',
        '  - {type: max, columns: ["*"]}',
        '  - {type: count, columns: ["*"]}',
        '',
      ].join('\n'),
    );
    expect((await pondOk(p, 'list', '/reduced/**')).stdout).toMatch(
      /\/reduced\/sine\/res=1h\.series\n.*\/reduced\/sine\/res=6h\.series\n$/,
    );
    const [header, ...rows] = await csv(`SELECT * FROM '/reduced/sine/res=1h.series'`);
    expect(header).toBe('timestamp,v.avg,v.min,v.max,count');
    expect(rows).toHaveLength(25); // 00:00 .. 24:00 inclusive spans 25 hours
    expect(
      await csv(
        `SELECT count(*) AS bad FROM '/reduced/sine/res=1h.series' WHERE NOT ("v.min" <= "v.avg" AND "v.avg" <= "v.max")`,
      ),
    ).toEqual(['bad', '0']);
    const extremes = await csv(
      `SELECT (SELECT min("v.min") FROM '/reduced/sine/res=1h.series') = (SELECT min(v) FROM '/sensors/sine') AS lo,
              (SELECT max("v.max") FROM '/reduced/sine/res=1h.series') = (SELECT max(v) FROM '/sensors/sine') AS hi,
              (SELECT sum("count") FROM '/reduced/sine/res=6h.series') AS rows`,
    );
    expect(extremes).toEqual(['lo,hi,rows', 'true,true,1441']);
    expect((await csv(`SELECT count(*) AS c FROM '/reduced/sine/res=6h.series'`))[1]).toBe('5');
  });
});

describe('incremental rollups', () => {
  it('seals old buckets, reads only cached partials, and refuses late data until rebuilt', async () => {
    const day = (d: number) => `2024-01-0${d}T00:00:00Z`;
    const add = async (d: number, offset = 0, start = day(d)) => {
      const file = join(host, `v${d}-${offset}.parquet`);
      await writeParquet(file, readingsSql(start, 1440, offset));
      await pondOk(p, 'copy', `host+series://${file}`, '/in/s.series');
    };
    await pondOk(p, 'mkdir', '/in');
    for (const d of [1, 2, 3]) await add(d);
    await mknod(
      'temporal-reduce',
      '/reduce',
      'in_pattern: "/in/*.series"\nout_pattern: "$0"\nresolutions: [1h]\nallowed_lateness: 1h\naggregations: [{type: avg, columns: [value]}, {type: count, columns: ["*"]}]\n',
    );
    const target = `'/reduce/s/res=1h.series'`;
    const direct = `SELECT date_bin(INTERVAL '1 hour', timestamp, TIMESTAMP '1970-01-01T00:00:00Z') AS timestamp, avg(value) AS a, count(*) AS c FROM '/in/s.series' GROUP BY 1 ORDER BY 1`;
    const rollup = `SELECT timestamp, "value.avg" AS a, "count" AS c FROM ${target} ORDER BY 1`;
    expect(await csv(rollup)).toEqual(await csv(direct));
    expect((await csv(rollup)).length - 1).toBe(72);
    const { readdir } = await import('node:fs/promises');
    const cache = join(p, 'cache', 'rollups');
    expect((await readdir(cache)).some((n) => n.endsWith('.parquet'))).toBe(true);

    await add(4);
    expect(await csv(rollup)).toEqual(await csv(direct));
    // Nothing new since that read: the plan reads only the cached partials, no source version.
    const explained = (await pondOk(p, 'sql', `SELECT * FROM ${target}`, '--explain')).stdout;
    expect(explained).toMatch(/\(rollup partials\) versions=2 /);
    expect(explained).not.toContain('source=/in/s.series');

    await add(5, 5000, '2024-01-01T06:00:00Z');
    const late = await pond(p, 'sql', `SELECT count(*) FROM ${target}`);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('rebuild with: pond rebuild /reduce');
    expect(late.stderr).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    await pondOk(p, 'rebuild', '/reduce');
    expect(await csv(rollup)).toEqual(await csv(direct));
  });
});

// SPDX-License-Identifier: Apache-2.0
/** Tables, series and SQL through the CLI, on real Delta + DataFusion. */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { exitStatus } from '../../ts/cli/exit-codes.js';
import {
  copyThreeDays,
  dataVersion,
  normalize,
  pond,
  pondOk,
  readingsSql,
  tempDir,
  writeParquet,
} from '../helpers.js';

let p = '';
let host = '';

beforeEach(async () => {
  const dir = await tempDir();
  p = join(dir, 'pond');
  host = join(dir, 'host');
  await (await import('node:fs/promises')).mkdir(host);
  await pondOk(p, 'init');
});

/** A series of three daily versions, 100 rows each, at one-minute steps. */
const threeDaySeries = () => copyThreeDays(p, host, '/s');

const explainNumbers = (text: string) => {
  const m = /versions=(\d+) versions_skipped=(\d+) row_groups=(\d+) row_groups_pruned=(\d+)/.exec(
    text,
  );
  if (!m) throw new Error(`no PondScanExec line in:\n${text}`);
  return m.slice(1).map(Number);
};

describe('series and SQL', () => {
  it('counts all rows over every version of a series', async () => {
    await threeDaySeries();
    const out = await pondOk(
      p,
      'sql',
      `SELECT count(*) AS n, min(n) AS lo, max(n) AS hi FROM '/s'`,
      '--format',
      'csv',
    );
    expect(out.stdout).toBe('n,lo,hi\n300,0,299\n');
    expect(normalize((await pondOk(p, 'list', '-l', '--bytes', '/s')).stdout)).toMatch(
      /^table:series\s+\d+\s+NODE@POND\s+v3 /,
    );
  });

  it('skips versions outside a time filter, both bounds and equality', async () => {
    await threeDaySeries();
    const cases: [string, number[]][] = [
      [`timestamp >= '2024-01-03T00:00:00Z'`, [3, 2]],
      [`timestamp < '2024-01-02T00:00:00Z'`, [3, 2]],
      [`timestamp BETWEEN '2024-01-02T00:10:00Z' AND '2024-01-02T00:20:00Z'`, [3, 2]],
      [`timestamp = '2024-01-02T00:10:00Z'`, [3, 2]],
      [`timestamp > '2024-01-01T12:00:00Z'`, [3, 1]],
      [`n > 5`, [3, 0]],
    ];
    for (const [where, expected] of cases) {
      const sql = `SELECT count(*) FROM '/s' WHERE ${where}`;
      const explained = (await pondOk(p, 'sql', sql, '--explain')).stdout;
      expect(explainNumbers(explained).slice(0, 2), where).toEqual(expected);
      const inSql = (await pondOk(p, 'sql', `EXPLAIN ${sql}`, '--format', 'csv')).stdout;
      expect(explainNumbers(inSql).slice(0, 2), where).toEqual(expected);
    }
    const between = await pondOk(
      p,
      'sql',
      `SELECT count(*) AS n FROM '/s' WHERE timestamp BETWEEN '2024-01-02T00:10:00Z' AND '2024-01-02T00:20:00Z'`,
      '--format',
      'csv',
    );
    expect(between.stdout).toBe('n\n11\n');
  });

  it('prunes row groups by statistics inside the versions it reads', async () => {
    const file = join(host, 'rg.parquet');
    await writeParquet(file, readingsSql('2024-02-01T00:00:00Z', 1000), 100);
    await pondOk(p, 'copy', `host+series://${file}`, '/rg');
    const sql = `SELECT count(*) FROM '/rg' WHERE timestamp >= '2024-02-01T15:00:00Z' AND timestamp < '2024-02-01T15:30:00Z'`;
    expect(explainNumbers((await pondOk(p, 'sql', sql, '--explain')).stdout)).toEqual([
      1, 0, 10, 9,
    ]);
    const byValue = `SELECT count(*) FROM '/rg' WHERE n >= 950`;
    expect(explainNumbers((await pondOk(p, 'sql', byValue, '--explain')).stdout)).toEqual([
      1, 0, 10, 9,
    ]);
    expect((await pondOk(p, 'sql', byValue, '--format', 'csv')).stdout).toBe('count(*)\n50\n');
  });

  it('cats tables with --sql in the table format of the original', async () => {
    const file = join(host, 't.parquet');
    await writeParquet(
      file,
      `SELECT * FROM (VALUES (1, 'a', 1.5), (2, NULL, 2.5)) AS t(id, name, x)`,
    );
    await pondOk(p, 'copy', `host+table://${file}`, '/t');
    const out = await pondOk(
      p,
      'cat',
      '/t',
      '--format',
      'table',
      '--sql',
      'SELECT * FROM source ORDER BY id',
    );
    expect(out.stdout).toBe(
      [
        '+-------+------+---------+',
        '| id    | name | x       |',
        '| Int64 | Utf8 | Float64 |',
        '+-------+------+---------+',
        '| 1     | a    | 1.5     |',
        '| 2     | NULL | 2.5     |',
        '+-------+------+---------+',
        'Summary: 2 total rows',
        '',
      ].join('\n'),
    );
    const none = await pondOk(
      p,
      'cat',
      '/t',
      '--display',
      'table',
      '--sql',
      'SELECT * FROM source WHERE id > 5',
    );
    expect(none.stdout).toBe('No data found\n');
    const json = await pondOk(
      p,
      'cat',
      '/t',
      '--format',
      'json',
      '--query',
      'SELECT id FROM source ORDER BY id',
    );
    expect(json.stdout).toBe('{"id":1}\n{"id":2}\n');
    const raw = await pondOk(p, 'cat', '/t');
    expect(raw.bytes.subarray(0, 4).toString()).toBe('PAR1');
  });

  it('joins tables across paths and reads information_schema', async () => {
    await threeDaySeries();
    const file = join(host, 'tags.parquet');
    await writeParquet(file, `SELECT * FROM (VALUES ('even', 'E'), ('odd', 'O')) AS t(tag, code)`);
    await pondOk(p, 'copy', `host+table://${file}`, '/tags');
    const out = await pondOk(
      p,
      'sql',
      `SELECT t.code, count(*) AS n FROM '/s' s JOIN '/tags' t ON s.tag = t.tag GROUP BY t.code ORDER BY t.code`,
      '--format',
      'csv',
    );
    expect(out.stdout).toBe('code,n\nE,150\nO,150\n');
    const tables = await pondOk(
      p,
      'sql',
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'tables'`,
      '--format',
      'csv',
    );
    expect(tables.stdout).toBe('n\n1\n');
  });

  it('describes series with their schema, time column and versions', async () => {
    await threeDaySeries();
    const text = (await pondOk(p, 'describe', '/s')).stdout;
    expect(text).toContain(
      '[FILE] /s\n  Type: TablePhysicalSeries\n  Format: Parquet series\n  Versions: 3',
    );
    expect(text).toContain(
      '    * timestamp: Timestamp(Millisecond, Some("UTC"))\n    * value: Float64\n    * n: Int64\n    * tag: Utf8',
    );
    expect(text).toContain('  Timestamp column: timestamp');
    expect(text).toContain('    v2: 100 rows, 2024-01-02 00:00:00 .. 2024-01-02 01:39:00 UTC');
    expect(text).toContain('  Total rows: 300');
  });
});

describe('formats on read', () => {
  const csv = 'x,y\n1,a\n2,b\n6,c\n';

  it('reads a pond CSV and the same host CSV without a pond to the same value', async () => {
    await writeFile(join(host, 'r.csv'), csv);
    await pondOk(p, 'mkdir', '/in');
    await pondOk(p, 'copy', `host://${host}/r.csv`, '/in/r.csv');
    const sql = 'SELECT avg(x) AS a FROM source';
    const inPond = await pondOk(p, 'cat', 'csv:///in/r.csv', '--format=table', '--sql', sql);
    const onHost = await pondOk(
      undefined,
      'cat',
      `host+csv://${host}/r.csv`,
      '--format=table',
      '--sql',
      sql,
    );
    expect(inPond.stdout).toContain('| 3.0     |');
    expect(onHost.stdout).toBe(inPond.stdout);
    const rooted = await pondOk(
      undefined,
      '-d',
      host,
      'cat',
      'host+csv:///r.csv',
      '--format=csv',
      '--sql',
      sql,
    );
    expect(rooted.stdout).toBe('a\n3.0\n');
  });

  it('reads gzip CSV, CSV options and JSON lines on the host', async () => {
    await writeFile(join(host, 'r.csv.gz'), gzipSync(csv));
    await writeFile(join(host, 'semi.csv'), 'x;y\n4;a\n');
    await writeFile(join(host, 'r.jsonl'), '{"x": 1}\n{"x": 5}\n');
    const q = (url: string, sql = 'SELECT sum(x) AS s FROM source') =>
      pondOk(undefined, 'cat', url, '--format', 'csv', '--sql', sql).then((r) => r.stdout);
    expect(await q(`host+csv+gzip://${host}/r.csv.gz`)).toBe('s\n9\n');
    expect(await q(`host+csv://${host}/semi.csv?delimiter=;`)).toBe('s\n4\n');
    expect(await q(`host+jsonl://${host}/r.jsonl`)).toBe('s\n6\n');
    expect(await q(`host+csv://${host}/*.csv?delimiter=;`)).toBe('s\n4\n');
  });

  it('caches parsed pond files and reuses the cache', async () => {
    await writeFile(join(host, 'r.csv'), csv);
    await pondOk(p, 'copy', `host://${host}/r.csv`, '/r.csv');
    await pondOk(p, 'cat', 'csv:///r.csv', '--format', 'csv');
    const dir = join(p, 'cache', 'formats');
    const [cached] = await readdir(dir);
    expect(cached).toMatch(/\.parquet$/);
    const before = (await stat(join(dir, cached as string))).mtimeMs;
    await pondOk(p, 'cat', 'csv:///r.csv', '--format', 'csv');
    expect((await stat(join(dir, cached as string))).mtimeMs).toBe(before);
    await writeFile(join(host, 'r.csv'), 'x,y\n10,z\n');
    await pondOk(p, 'copy', `host://${host}/r.csv`, '/r.csv');
    expect(
      (await pondOk(p, 'cat', 'csv:///r.csv', '--format', 'csv', '--sql', 'SELECT x FROM source'))
        .stdout,
    ).toBe('x\n10\n');
    expect(await readdir(dir)).toHaveLength(2);
  });
});

describe('bad input: a clear error with a code, nothing written', () => {
  async function failure(pondDir: string | undefined, ...args: string[]): Promise<string> {
    const r = await pond(pondDir, ...args);
    const code = /^Error \[([A-Z_]+)\]: [^\n]+\n$/.exec(r.stderr)?.[1];
    expect(code, r.stderr).toBeDefined();
    expect(r.code, r.stdout).toBe(exitStatus(code as string));
    return r.stderr;
  }

  it('rejects bad SQL, unknown paths, non-Parquet series and ragged CSV', async () => {
    await writeFile(join(host, 'bad.csv'), 'a,b\n1,2\n3\n');
    await writeFile(join(host, 'not.parquet'), 'hello, world\n');
    const version = await dataVersion(p);
    expect(await failure(p, 'sql', 'SELEC 1')).toContain('SELEC');
    expect(await failure(p, 'sql', `SELECT * FROM '/nope/x.series'`)).toContain('/nope/x.series');
    expect(await failure(p, 'copy', `host+series://${host}/not.parquet`, '/s')).toContain(
      'not a valid parquet file (missing PAR1 magic bytes)',
    );
    expect(
      await failure(undefined, 'cat', `host+csv://${host}/bad.csv`, '--format', 'csv'),
    ).toMatch(/CSV|csv|fields|lengths/);
    expect(await failure(p, 'sql', `SELECT * FROM 'zip:///x'`)).toContain('unknown scheme format');
    expect(await dataVersion(p)).toBe(version);
    expect((await pondOk(p, 'list')).stdout).toBe('');
  });

  it('refuses writes in SQL', async () => {
    expect(await failure(p, 'sql', `CREATE TABLE t AS VALUES (1)`)).toMatch(
      /DDL|not allowed|supported/i,
    );
  });

  it('needs a time column for series', async () => {
    const file = join(host, 'nots.parquet');
    await writeParquet(file, `SELECT 1 AS a`);
    expect(await failure(p, 'copy', `host+series://${file}`, '/s')).toContain(
      'no event-time column',
    );
    expect(
      await failure(p, 'copy', '--time-column', 'nope', `host+series://${file}`, '/s'),
    ).toContain('time column "nope" does not exist');
    await pondOk(p, 'copy', '--time-column', 'a', `host+series://${file}`, '/s');
    expect((await pondOk(p, 'describe', '/s')).stdout).toContain('Timestamp column: a');
  });
});

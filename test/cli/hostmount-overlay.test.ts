// SPDX-License-Identifier: Apache-2.0
// `--hostmount` overlays: the children of a dynamic-dir mounted over the host namespace
// read the same through their paths, `host+file:///` and every other URL scheme, `-d`
// roots it all, and `--hostmount` next to a selected pond is an error, not ignored.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { dataVersion, listedPaths, pond, pondOk, tempDir } from '../helpers.js';
import { pondCoded } from './coded.js';

let host: string;
let mount: string[];

beforeEach(async () => {
  host = join(await tempDir(), 'host');
  await mkdir(join(host, 'in'), { recursive: true });
  await writeFile(
    join(host, 'in', 'r.csv'),
    'timestamp,x\n2026-01-01T00:00:00Z,1\n2026-01-02T00:00:00Z,2\n',
  );
  await writeFile(
    join(host, 'cfg.yaml'),
    [
      'entries:',
      '  - name: total',
      '    factory: sql-derived-table',
      '    config:',
      '      patterns: {source: "host+csv:///in/r.csv"}',
      '      query: SELECT sum(x) AS s FROM source',
      '  - name: daily',
      '    factory: sql-derived-series',
      '    config:',
      '      patterns: {source: "host+csv:///in/r.csv"}',
      '      query: SELECT timestamp, x * 10 AS y FROM source',
      '  - name: raw',
      '    factory: hostmount',
      `    config: {directory: ${join(host, 'in')}}`,
      '',
    ].join('\n'),
  );
  mount = ['-d', host, '--hostmount', '/views=host+dyndir:///cfg.yaml'];
});

const csv = async (...args: string[]) =>
  (await pondOk(undefined, ...mount, ...args, '--format', 'csv')).stdout;
const sql = (table: string, select = '*') => csv('sql', `SELECT ${select} FROM '${table}'`);

describe('--hostmount: mounted children through every scheme', () => {
  it('reads a computed table the same through its path and every URL form', async () => {
    const expected = await sql('/views/total');
    expect(expected).toBe('s\n3\n');
    for (const table of [
      'host+file:///views/total',
      'host:///views/total',
      'host+table:///views/total',
      'host+series:///views/total',
      'table:///views/total',
      'series:///views/total',
      'file:///views/total',
    ]) {
      expect(await sql(table), table).toBe(expected);
    }
    for (const path of ['/views/total', 'host+file:///views/total', 'host:///views/total']) {
      expect(await csv('cat', path), path).toBe(expected);
    }
    expect(
      await csv('cat', 'host+table:///views/total', '--sql', 'SELECT s * 2 AS d FROM source'),
    ).toBe('d\n6\n');
  });

  it('reads a computed series and a mounted host directory through host+ URLs', async () => {
    const series = await sql('/views/daily', 'y');
    expect(series).toBe('y\n10\n20\n');
    expect(await sql('host+series:///views/daily', 'y')).toBe(series);
    expect(await sql('host+file:///views/daily', 'y')).toBe(series);
    const direct = await sql('csv:///views/raw/r.csv', 'x');
    expect(direct).toBe('x\n1\n2\n');
    expect(await sql('host+csv:///views/raw/r.csv', 'x')).toBe(direct);
    expect(await sql('host+csv:///views/raw/*.csv', 'x')).toBe(direct);
    const bytes = (await pondOk(undefined, ...mount, 'cat', 'host:///views/raw/r.csv')).stdout;
    expect(bytes).toBe((await pondOk(undefined, ...mount, 'cat', '/views/raw/r.csv')).stdout);
    // Host URLs outside the mount still read the host directory itself.
    expect(await sql('host+csv:///in/r.csv', 'x')).toBe(direct);
  });

  it('lists and describes mounted children through host+file URLs', async () => {
    const byPath = (await pondOk(undefined, ...mount, 'list', '/views/*')).stdout;
    expect(listedPaths(byPath)).toEqual(['/views/daily', '/views/raw', '/views/total']);
    expect((await pondOk(undefined, ...mount, 'list', 'host+file:///views/*')).stdout).toBe(byPath);
    const described = (await pondOk(undefined, ...mount, 'describe', 'host+file:///views/total'))
      .stdout;
    expect(described).toBe((await pondOk(undefined, ...mount, 'describe', '/views/total')).stdout);
    expect(described).toContain('* s: Int64');
    const provider = (await pondOk(undefined, ...mount, 'describe', 'host+csv:///views/raw/*.csv'))
      .stdout;
    expect(provider).toContain('File: /views/raw/r.csv\nProvider: host+csv\nSchema: 2 fields\n');
  });

  it('a missing child is NOT_FOUND naming it, through a URL as through the path', async () => {
    for (const table of ['/views/nope', 'host+table:///views/nope']) {
      const r = await pondCoded(undefined, ...mount, 'sql', `SELECT * FROM '${table}'`);
      expect(r.error, table).toMatchObject({ code: ErrorCode.NOT_FOUND });
    }
  });
});

describe('--hostmount with a pond selected', () => {
  it('is refused with POND set or --pond given, and the pond is left as it was', async () => {
    const p = join(await tempDir(), 'pond');
    await pondOk(p, 'init');
    const version = await dataVersion(p);
    for (const args of [
      [...mount, 'list', '/views/*'],
      [...mount, 'mkdir', '/x'],
      [...mount, 'sql', "SELECT * FROM '/views/total'"],
    ]) {
      const withEnv = await pondCoded(p, ...args);
      expect(withEnv.error, args.join(' ')).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      const withFlag = await pondCoded(undefined, '--pond', p, ...args);
      expect(withFlag.error, args.join(' ')).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    }
    const r = await pond(p, ...mount, 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--hostmount /views=host+dyndir:///cfg.yaml');
    expect(r.stderr).toContain('POND is set');
    expect(await dataVersion(p)).toBe(version);
    expect(listedPaths((await pondOk(p, 'list')).stdout)).toEqual([]);
  });
});

// SPDX-License-Identifier: Apache-2.0
/** Dynamic nodes through the CLI: mknod, list-factories, hostmount, dynamic-dir,
 * sql-derived chains with pushdown, synthetic series, combine; bad configs change nothing. */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { exitStatus } from '../../ts/cli/exit-codes.js';
import {
  copyThreeDays,
  dataVersion,
  hostConfig,
  listedPaths,
  pond,
  pondAndHost,
  pondOk,
} from '../helpers.js';

let p = '';
let host = '';

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
});

const config = (name: string, text: string): Promise<string> => hostConfig(host, name, text);

const paths = listedPaths;

describe('mknod and list-factories', () => {
  it('lists every factory with its kind', async () => {
    const out = (await pondOk(p, 'list-factories')).stdout;
    for (const name of [
      'hostmount',
      'dynamic-dir',
      'sql-derived-table',
      'sql-derived-series',
      'synthetic-timeseries',
      'combine',
    ]) {
      expect(out).toMatch(new RegExp(`^${name}\\s+(directory|table)\\s+\\S`, 'm'));
    }
  });

  it('accepts the three spellings and --overwrite', async () => {
    const mnt = join(host, 'mnt');
    await mkdir(mnt);
    const cfg = await config('hm', `directory: ${mnt}\n`);
    await pondOk(p, 'mknod', 'hostmount', '/a', '--config-path', cfg);
    await pondOk(p, 'mknod', '--factory', 'hostmount', '/b', cfg);
    await pondOk(p, 'mknod', 'hostmount', '/c', cfg);
    expect(paths((await pondOk(p, 'list', '/')).stdout)).toEqual(['/a', '/b', '/c']);
    const again = await pond(
      p,
      'mknod',
      'hostmount',
      '/a',
      await config('hm2', `directory: ${host}\n`),
    );
    expect(again.stderr).toContain('already exists');
    await pondOk(
      p,
      'mknod',
      'hostmount',
      '/a',
      await config('hm3', `directory: ${host}\n`),
      '--overwrite',
    );
    expect((await pondOk(p, 'list', '-l', '/a')).stdout).toMatch(
      /^dynamic-directory\s+-\s+\S+\s+v2 /,
    );
    expect((await pondOk(p, 'log')).stdout).toContain('pond mknod hostmount /c');
  });

  it('rejects bad configs with a clear error and writes nothing', async () => {
    const before = await dataVersion(p);
    const fail = async (...args: string[]) => {
      const r = await pond(p, ...args);
      const code = /^Error \[([A-Z_]+)\]: [^\n]+\n$/.exec(r.stderr)?.[1];
      expect(code).toBeDefined();
      expect(r.code).toBe(exitStatus(code as string));
      return r.stderr;
    };
    expect(await fail('mknod', 'nope', '/x', await config('a', 'x: 1\n'))).toContain(
      'unknown factory "nope"',
    );
    expect(
      await fail('mknod', 'hostmount', '/x', await config('b', 'directory: /tmp\nextra: 1\n')),
    ).toContain('unknown key "extra"');
    expect(await fail('mknod', 'hostmount', '/x', await config('c', 'directory: [\n'))).toContain(
      'malformed YAML',
    );
    expect(
      await fail(
        'mknod',
        'sql-derived-series',
        '/x',
        await config('d', 'patterns:\n  source: "zip:///a"\n'),
      ),
    ).toContain('unknown scheme format "zip"');
    expect(
      await fail(
        'mknod',
        'dynamic-dir',
        '/x',
        await config(
          'e',
          'entries:\n  - name: a\n    factory: hostmount\n    config: {dir: /tmp}\n',
        ),
      ),
    ).toContain('entries[0] (a): hostmount: config: unknown key "dir"');
    expect(
      await fail(
        'mknod',
        'hostmount',
        '/x',
        await config('f', 'directory: ${env:POND_TEST_UNSET_VAR}\n'),
      ),
    ).toContain('POND_TEST_UNSET_VAR is not set');
    expect(await dataVersion(p)).toBe(before);
    expect((await pondOk(p, 'list')).stdout).toBe('');
  });
});

describe('hostmount', () => {
  it('mirrors a host directory live, read-only, without escaping it', async () => {
    const mnt = join(host, 'mnt');
    await mkdir(join(mnt, 'deep', 'er'), { recursive: true });
    await writeFile(join(mnt, 'a.txt'), 'alpha');
    await writeFile(join(mnt, 'deep', 'er', 'b.csv'), 'x\n1\n2\n');
    await symlink('/etc', join(mnt, 'escape'));
    await pondOk(
      p,
      'mknod',
      'hostmount',
      '/mnt',
      await config('hm', `directory: \${env:MNT_DIR:-${mnt}}\n`),
    );
    expect(paths((await pondOk(p, 'list', '/mnt/**')).stdout)).toEqual([
      '/mnt',
      '/mnt/a.txt',
      '/mnt/deep',
      '/mnt/deep/er',
      '/mnt/deep/er/b.csv',
    ]);
    await writeFile(join(mnt, 'later.txt'), 'added after mknod');
    expect((await pondOk(p, 'cat', '/mnt/later.txt')).stdout).toBe('added after mknod');
    expect(
      (
        await pondOk(
          p,
          'sql',
          `SELECT sum(x) AS s FROM 'csv:///mnt/deep/er/b.csv'`,
          '--format',
          'csv',
        )
      ).stdout,
    ).toBe('s\n3\n');
    const ro = await pond(p, 'copy', 'host:///etc/hosts', '/mnt/x');
    expect(ro.stderr).toContain('read-only');
    expect((await pond(p, 'mkdir', '/mnt/newdir')).stderr).toContain('read-only');
    expect((await pond(p, 'cat', '/mnt/escape/hosts')).code).toBe(exitStatus('NOT_FOUND'));
    expect((await pond(p, 'cat', '/mnt/../etc/hosts')).code).toBe(exitStatus('NOT_FOUND'));
    await rm(mnt, { recursive: true });
    const gone = await pond(p, 'list', '/mnt/*');
    expect(gone.code).toBe(exitStatus('NOT_FOUND'));
    expect(gone.stderr).toContain(`host directory ${mnt} does not exist`);
  });
});

describe('derived tables', () => {
  const threeDays = () => copyThreeDays(p, host, '/raw.series');

  it('chains sql-derived-series over sql-derived-series with the filter reaching the source', async () => {
    await threeDays();
    await pondOk(
      p,
      'mknod',
      'sql-derived-series',
      '/l1',
      await config(
        'l1',
        'patterns:\n  source: /raw.series\nquery: SELECT timestamp, n * 2 AS n2 FROM source\n',
      ),
    );
    await pondOk(
      p,
      'mknod',
      'sql-derived',
      '/l2',
      await config('l2', 'patterns:\n  s: /l1\nquery: SELECT timestamp, n2 + 1 AS n3 FROM s\n'),
    );
    const sql = `SELECT count(*) AS c, min(n3) AS lo FROM '/l2' WHERE timestamp >= '2024-01-03T00:00:00Z'`;
    expect((await pondOk(p, 'sql', sql, '--format', 'csv')).stdout).toBe('c,lo\n100,401\n');
    expect((await pondOk(p, 'sql', sql, '--explain')).stdout).toMatch(
      /source=\/raw\.series versions=3 versions_skipped=2/,
    );
    expect((await pondOk(p, 'list', '-l', '/l2')).stdout).toMatch(/^table:dynamic /);
    const cyc = await config('cyc', 'patterns:\n  source: /l2\n');
    const refused = await pond(p, 'mknod', 'sql-derived-series', '/l1', cyc, '--overwrite');
    expect(refused.stderr).toContain('cycle in derived tables: /l1 -> /l2 -> /l1');
    await pondOk(p, 'mknod', 'sql-derived-series', '/l1', cyc, '--overwrite', '--no-check');
    const cycle = await pond(p, 'sql', `SELECT count(*) FROM '/l2'`);
    expect(cycle.stderr).toContain('cycle in derived tables: /l2 -> /l1 -> /l2');
  });

  it('requires one match for sql-derived-table and unions for combine', async () => {
    await threeDays();
    await pondOk(p, 'copy', `host+series://${host}/d0.parquet`, '/other.series');
    const refused = await pond(
      p,
      'mknod',
      'sql-derived-table',
      '/t',
      await config('t', 'patterns:\n  source: "/*.series"\n'),
    );
    expect(refused.stderr).toContain('needs exactly one matching file, found 2');
    await pondOk(p, 'mknod', 'combine', '/all', await config('c', 'patterns:\n  - "/*.series"\n'));
    expect(
      (await pondOk(p, 'sql', `SELECT count(*) AS c FROM '/all'`, '--format', 'csv')).stdout,
    ).toBe('c\n400\n');
  });

  it('generates synthetic series, start and end inclusive', async () => {
    const cfg = [
      'start: 2024-01-01T00:00:00Z',
      'end: 2024-01-01T02:00:00Z',
      'interval: 1m',
      'points:',
      '  - name: temp',
      '    components:',
      '      - {type: sine, amplitude: 2, period: 1h, offset: 10}',
      '      - {type: line, slope: 0.001}',
      '  - name: pump',
      '    components: [{type: square, amplitude: 1, period: 30m}]',
      '',
    ].join('\n');
    await pondOk(p, 'mknod', 'synthetic-timeseries', '/syn', await config('syn', cfg));
    const out = await pondOk(
      p,
      'cat',
      '/syn',
      '--format',
      'csv',
      '--sql',
      'SELECT count(*) AS c, min(pump) AS lo, max(pump) AS hi, round(max(temp), 3) AS t FROM source',
    );
    // the line term dominates at the end: 10 + 2·sin(4π) + 0.001·7200
    expect(out.stdout).toBe('c,lo,hi,t\n121,-1.0,1.0,17.2\n');
    const table = await pondOk(
      p,
      'cat',
      '/syn',
      '--format',
      'table',
      '--sql',
      'SELECT * FROM source LIMIT 1',
    );
    expect(table.stdout).toContain('| Timestamp(Millisecond, Some("UTC")) | Float64 | Float64 |');
  });
});

describe('dynamic-dir', () => {
  it('builds nested factory nodes', async () => {
    const mnt = join(host, 'mnt');
    await mkdir(mnt);
    await writeFile(join(mnt, 'r.csv'), 'x\n5\n');
    const cfg = [
      'entries:',
      '  - name: files',
      '    factory: hostmount',
      `    config: {directory: ${mnt}}`,
      '  - name: nested',
      '    factory: dyndir',
      '    config:',
      '      entries:',
      '        - name: syn',
      '          factory: scribble',
      '          config: {start: 2024-01-01T00:00:00Z, end: 2024-01-01T00:09:00Z, interval: 1m, points: [{name: v, components: [{type: line, slope: 1}]}]}',
      '',
    ].join('\n');
    await pondOk(p, 'mknod', 'dynamic-dir', '/views', await config('dd', cfg));
    expect(paths((await pondOk(p, 'list', '/views/**')).stdout)).toEqual([
      '/views',
      '/views/files',
      '/views/files/r.csv',
      '/views/nested',
      '/views/nested/syn',
    ]);
    expect(
      (await pondOk(p, 'sql', `SELECT count(*) AS c FROM '/views/nested/syn'`, '--format', 'csv'))
        .stdout,
    ).toBe('c\n10\n');
    expect((await pond(p, 'mkdir', '/views/x')).stderr).toContain('read-only');
  });
});

describe('csvdir and template', () => {
  it('presents CSVs as cached tables, reparsed on a new version', async () => {
    await writeFile(join(host, 'a.csv'), 'x,y\n1,a\n2,b\n');
    await writeFile(join(host, 'b.csv'), 'x;y\n10;c\n');
    await pondOk(p, 'mkdir', '/in');
    await pondOk(p, 'copy', `host://${host}/a.csv`, '/in');
    await pondOk(p, 'mknod', 'csvdir', '/tables', await config('cd', 'source: "/in/*.csv"\n'));
    expect(paths((await pondOk(p, 'list', '/tables/*')).stdout)).toEqual(['/tables/a']);
    expect((await pondOk(p, 'list', '-l', '/tables/a')).stdout).toMatch(/^table:dynamic /);
    const sum = () =>
      pondOk(p, 'sql', `SELECT sum(x) AS s FROM '/tables/a'`, '--format', 'csv').then(
        (r) => r.stdout,
      );
    expect(await sum()).toBe('s\n3\n');
    const cache = join(p, 'cache', 'formats');
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(cache)).toHaveLength(1);
    expect(await sum()).toBe('s\n3\n');
    expect(await readdir(cache)).toHaveLength(1);
    await writeFile(join(host, 'a.csv'), 'x,y\n5,z\n');
    await pondOk(p, 'copy', `host://${host}/a.csv`, '/in/a.csv');
    expect(await sum()).toBe('s\n5\n');
    expect(await readdir(cache)).toHaveLength(2);
    await pondOk(
      p,
      'mknod',
      'csvdir',
      '/semi',
      await config('semi', `source: /in/b.csv\ndelimiter: ";"\n`),
    );
    expect(await pond(p, 'sql', `SELECT 1 FROM '/semi/b'`).then((r) => r.code)).toBe(
      exitStatus('NOT_FOUND'),
    );
    await pondOk(p, 'copy', `host://${host}/b.csv`, '/in');
    expect((await pondOk(p, 'sql', `SELECT x FROM '/semi/b'`, '--format', 'csv')).stdout).toBe(
      'x\n10\n',
    );
  });

  it('renders one file per match, or one for all', async () => {
    await pondOk(p, 'mkdir', '-p', '/sites/north');
    await pondOk(p, 'mkdir', '-p', '/sites/south');
    for (const s of ['north', 'south']) {
      await writeFile(join(host, `${s}.csv`), 'x\n1\n');
      await pondOk(p, 'copy', `host://${host}/${s}.csv`, `/sites/${s}/data.csv`);
    }
    await writeFile(
      join(host, 'page.j2'),
      '# {{ captures[0] }}\n{{ match.path }} of {{ matches | length }}\n{% for m in matches %}* {{ m.captures[0] }}\n{% endfor %}',
    );
    await pondOk(p, 'copy', `host://${host}/page.j2`, '/page.j2');
    await pondOk(
      p,
      'mknod',
      'template',
      '/pages',
      await config(
        't',
        'in_pattern: "/sites/*/data.csv"\nout_pattern: "$0.md"\ntemplate_file: /page.j2\n',
      ),
    );
    expect(paths((await pondOk(p, 'list', '/pages/*')).stdout)).toEqual([
      '/pages/north.md',
      '/pages/south.md',
    ]);
    expect((await pondOk(p, 'cat', '/pages/south.md')).stdout).toBe(
      '# south\n/sites/south/data.csv of 2\n* north\n* south\n',
    );
    await pondOk(
      p,
      'mknod',
      'template',
      '/index',
      await config(
        'i',
        'in_pattern: "/sites/*/data.csv"\nout_pattern: index.md\ntemplate_file: /page.j2\n',
      ),
    );
    expect((await pondOk(p, 'cat', '/index/index.md')).stdout).toContain('* north\n* south\n');
  });
});

describe('host mode', () => {
  it('lists, cats and describes host files with no pond', async () => {
    await mkdir(join(host, 'in'));
    await writeFile(join(host, 'in', 'r.csv'), 'x\n1\n2\n');
    const listing = await pondOk(undefined, 'list', `host+file://${host}/in/*`);
    expect(paths(listing.stdout)).toEqual([`${host}/in/r.csv`]);
    expect((await pondOk(undefined, '-d', host, 'cat', 'host:///in/r.csv')).stdout).toBe(
      'x\n1\n2\n',
    );
    expect((await pondOk(undefined, 'describe', `host+file://${host}/in/r.csv`)).stdout).toContain(
      `[FILE] ${host}/in/r.csv\n  Type: FileDynamic`,
    );
    expect((await pond(undefined, 'list')).stderr).toContain('set POND');
  });

  it('overlays factory nodes and directories with --hostmount', async () => {
    await mkdir(join(host, 'in'));
    await writeFile(join(host, 'in', 'r.csv'), 'x\n1\n2\n');
    await writeFile(
      join(host, 'views.yaml'),
      'entries:\n  - name: total\n    factory: sql-derived-table\n    config:\n      patterns: {source: "host+csv:///in/r.csv"}\n      query: SELECT sum(x) AS s FROM source\n',
    );
    const views = ['-d', host, '--hostmount', '/views=host+dyndir:///views.yaml'];
    expect(
      (await pondOk(undefined, ...views, 'sql', `SELECT s FROM '/views/total'`, '--format', 'csv'))
        .stdout,
    ).toBe('s\n3\n');
    expect(paths((await pondOk(undefined, ...views, 'list', '/views/*')).stdout)).toEqual([
      '/views/total',
    ]);
    const data = ['--hostmount', `/data=${join(host, 'in')}`];
    expect(paths((await pondOk(undefined, ...data, 'list', '/data/*')).stdout)).toEqual([
      '/data/r.csv',
    ]);
    expect((await pondOk(undefined, ...data, 'cat', '/data/r.csv')).stdout).toBe('x\n1\n2\n');
    expect((await pond(undefined, ...data, 'mkdir', '/data/x')).code).toBe(
      exitStatus('NOT_A_POND'),
    );
    expect((await pond(undefined, '--hostmount', 'nonsense', 'list')).stderr).toContain(
      '--hostmount nonsense',
    );
  });
});

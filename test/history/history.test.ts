// SPDX-License-Identifier: Apache-2.0
/** Time travel, old versions, rm/mv/ln, diff and the history tables, on real ponds. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pond } from '../../ts/index.js';
import {
  copyThreeDays,
  listedPaths,
  pond,
  pondAndHost,
  pondOk,
  readingsSql,
  writeParquet,
} from '../helpers.js';

/** The newest transaction's seq, from `pond log`. */
async function lastSeq(p: string): Promise<number> {
  const log = await pondOk(p, 'log', '--all', '--limit', '1', '--format', 'json');
  return JSON.parse(log.stdout.trim()).seq as number;
}

async function count(p: string, sql: string, ...args: string[]): Promise<string> {
  return (
    (await pondOk(p, 'sql', sql, '--format', 'csv', ...args)).stdout.trim().split('\n')[1] ?? ''
  );
}

const fsckOk = async (p: string) =>
  expect((await pondOk(p, 'fsck')).stdout).toContain('Result: OK');

describe('old versions and --as-of', () => {
  it('reads version K, the pond as of a transaction, and a series as it was', async () => {
    const { p, host } = await pondAndHost();
    const seqs: number[] = [];
    for (const text of ['first', 'second', 'third']) {
      await writeFile(join(host, 'f.txt'), text);
      await pondOk(p, 'copy', `host://${host}/f.txt`, '/f.txt');
      seqs.push(await lastSeq(p));
    }
    expect((await pondOk(p, 'cat', '/f.txt', '--version', '1')).stdout).toBe('first');
    expect((await pondOk(p, 'cat', '/f.txt', '--as-of', String(seqs[1]))).stdout).toBe('second');
    expect((await pondOk(p, 'cat', '/f.txt')).stdout).toBe('third');
    const missing = await pond(p, 'cat', '/f.txt', '--version', '9');
    expect(missing.stderr).toMatch(/NOT_FOUND/);
    const early = await pond(p, 'cat', '/f.txt', '--as-of', '1');
    expect(early.stderr).toMatch(/NOT_FOUND/);

    await copyThreeDays(p, host, '/s.series');
    const afterTwo = (await lastSeq(p)) - 1;
    expect(await count(p, "SELECT count(*) FROM '/s.series'")).toBe('300');
    expect(await count(p, "SELECT count(*) FROM '/s.series'", '--as-of', String(afterTwo))).toBe(
      '200',
    );
    expect(await count(p, "SELECT min(n), max(n) FROM '/s.series@v2'")).toBe('100,199');
    expect(await count(p, "SELECT count(*) FROM 'series:///s.series@v3'")).toBe('100');

    const history = (await pondOk(p, 'history', '/s.series')).stdout.trim().split('\n');
    expect(history).toHaveLength(3);
    expect(history[1]).toMatch(
      /^v2 +txn \d+ +\S+ \S+ +\d+ +[0-9a-f]{12} +2024-01-02 00:00:00 \.\. 2024-01-02 01:39:00 +100 rows$/,
    );
    const listed = (await pondOk(p, 'list', '/**', '--as-of', String(seqs[0]))).stdout;
    expect(listedPaths(listed)).toEqual(['/f.txt']);
    const described = (await pondOk(p, 'describe', '/s.series', '--as-of', String(afterTwo)))
      .stdout;
    expect(described).toContain('Total rows: 200');
  });

  it('takes times and dates, and refuses seqs and times the pond has not reached', async () => {
    const { p } = await pondAndHost();
    await pondOk(p, 'mkdir', '/a');
    const now = new Date(Date.now() + 60_000).toISOString();
    expect(listedPaths((await pondOk(p, 'list', '/**', '--as-of', now)).stdout)).toEqual(['/a']);
    for (const bad of ['99', '2000-01-01', 'soon']) {
      const r = await pond(p, 'list', '/**', '--as-of', bad);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/INVALID_ARGUMENT/);
    }
  });

  it('reads derived nodes from their inputs as they were', async () => {
    const { p, host } = await pondAndHost();
    await pondOk(p, 'mkdir', '/raw');
    await copyThreeDays(p, host, '/raw/s.series');
    const cfg = join(host, 'view.yaml');
    await writeFile(cfg, 'patterns:\n  source: /raw/s.series\nquery: SELECT n FROM source\n');
    await pondOk(p, 'mkdir', '/views');
    await pondOk(p, 'mknod', 'sql-derived-series', '/views/n.series', cfg);
    const seq = await lastSeq(p);
    await writeParquet(join(host, 'd3.parquet'), readingsSql('2024-01-04T00:00:00Z', 50, 300));
    await pondOk(p, 'copy', `host+series://${host}/d3.parquet`, '/raw/s.series');
    expect(await count(p, "SELECT count(*) FROM '/views/n.series'")).toBe('350');
    expect(await count(p, "SELECT count(*) FROM '/views/n.series'", '--as-of', String(seq))).toBe(
      '300',
    );
  });
});

describe('rm, mv and ln', () => {
  it('removes a directory, keeps it readable as of before, through compaction and log cleanup', async () => {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'big.bin'), randomBytes(200_000));
    await pondOk(p, 'mkdir', '/dir');
    await pondOk(p, 'copy', `host://${host}/big.bin`, '/dir/big.bin');
    await pondOk(p, 'mkdir', '/keep');
    const before = await lastSeq(p);
    await pondOk(p, 'rm', '-r', '/dir');
    expect(listedPaths((await pondOk(p, 'list', '/**')).stdout)).toEqual(['/keep']);
    const asOf = ['--as-of', String(before)];
    expect(listedPaths((await pondOk(p, 'list', '/**', ...asOf)).stdout)).toEqual([
      '/dir',
      '/dir/big.bin',
      '/keep',
    ]);
    await fsckOk(p);
    await pondOk(p, 'maintain', '--compact', '--retention', '0');
    expect(listedPaths((await pondOk(p, 'list', '/**', ...asOf)).stdout)).toContain('/dir/big.bin');
    expect((await pondOk(p, 'cat', '/dir/big.bin', ...asOf)).bytes.length).toBe(200_000);
    await fsckOk(p);

    const log = (await pondOk(p, 'log', '--txn-seq', String(before + 1))).stdout;
    expect(log).toContain('removed: /dir');

    const pruned = await pondOk(p, 'maintain', '--prune-removed', '--retention', '0');
    expect(pruned.stdout).toContain('pruned: 1 large files');
    await fsckOk(p);
    expect(listedPaths((await pondOk(p, 'list', '/**', ...asOf)).stdout)).toContain('/dir/big.bin');
    expect((await pond(p, 'cat', '/dir/big.bin', ...asOf)).code).not.toBe(0);
  });

  it('refuses rm of a non-empty directory without -r, and of missing paths unless -f', async () => {
    const { p } = await pondAndHost();
    await pondOk(p, 'mkdir', '-p', '/a/b');
    expect((await pond(p, 'rm', '/a')).stderr).toMatch(/INVALID_ARGUMENT.*-r/);
    expect((await pond(p, 'rm', '/nope')).stderr).toMatch(/NOT_FOUND/);
    await pondOk(p, 'rm', '-f', '/nope');
    expect(listedPaths((await pondOk(p, 'list', '/**')).stdout)).toEqual(['/a', '/a/b']);
  });

  it('moves a directory keeping node ids and versions; a view over the old path names it', async () => {
    const { p, host } = await pondAndHost();
    await pondOk(p, 'mkdir', '/a');
    await copyThreeDays(p, host, '/a/s.series');
    const cfg = join(host, 'view.yaml');
    await writeFile(cfg, 'patterns:\n  source: /a/s.series\nquery: SELECT n FROM source\n');
    await pondOk(p, 'mknod', 'sql-derived-series', '/v.series', cfg);
    const ids = async (pattern: string) =>
      (await pondOk(p, 'list', '-l', pattern, '--format', 'json')).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((e) => `${e.node_id ?? e.nodeId} v${e.version}`);
    const before = await ids('/a/**');
    await pondOk(p, 'mv', '/a', '/b');
    expect(await ids('/b/**')).toEqual(before);
    expect(await count(p, "SELECT count(*) FROM '/b/s.series'")).toBe('300');
    const broken = await pond(p, 'sql', "SELECT count(*) FROM '/v.series'");
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('/v.series: missing input: /a/s.series');
    expect(broken.stderr).toMatch(/NOT_FOUND/);
    await fsckOk(p);
  });

  it('moves a file across directories with its history, and back, without repeating versions', async () => {
    const { p, host } = await pondAndHost();
    await pondOk(p, 'mkdir', '/x');
    await copyThreeDays(p, host, '/x/s.series');
    await pondOk(p, 'mkdir', '/y');
    const history = async (path: string) => (await pondOk(p, 'history', path)).stdout;
    const original = await history('/x/s.series');
    await pondOk(p, 'mv', '/x/s.series', '/y');
    expect(await history('/y/s.series')).toBe(original);
    await writeParquet(join(host, 'd3.parquet'), readingsSql('2024-01-04T00:00:00Z', 10, 300));
    await pondOk(p, 'copy', `host+series://${host}/d3.parquet`, '/y/s.series');
    await pondOk(p, 'mv', '/y/s.series', '/x/t.series');
    const moved = (await history('/x/t.series')).trim().split('\n');
    expect(moved).toHaveLength(4);
    expect(await count(p, "SELECT count(*) FROM '/x/t.series'")).toBe('310');
    await fsckOk(p);
    const log = (await pondOk(p, 'log')).stdout;
    expect(log).toContain('moved: /x/s.series -> /y/s.series');
  });

  it('creates symlinks that reads follow, and refuses writes under read-only directories', async () => {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'f.txt'), 'hello');
    await pondOk(p, 'copy', `host://${host}/f.txt`, '/f.txt');
    await pondOk(p, 'ln', '-s', '/f.txt', '/link');
    expect((await pondOk(p, 'cat', '/link')).stdout).toBe('hello');
    expect((await pondOk(p, 'list', '/link')).stdout).toContain('/link -> /f.txt');
    expect((await pond(p, 'ln', '/f.txt', '/hard')).stderr).toMatch(/INVALID_ARGUMENT.*-s/);
    await writeFile(join(host, 'mount.yaml'), `directory: ${host}\n`);
    await pondOk(p, 'mknod', 'hostmount', '/mnt', join(host, 'mount.yaml'));
    expect((await pond(p, 'rm', '/mnt/f.txt')).stderr).toMatch(/READ_ONLY/);
    expect((await pond(p, 'mv', '/f.txt', '/mnt/g.txt')).stderr).toMatch(/READ_ONLY/);
    await pondOk(p, 'rm', '-r', '/mnt');
    await pondOk(p, 'rm', '/link');
    expect((await pondOk(p, 'cat', '/f.txt')).stdout).toBe('hello');
  });

  it('applies kind: rm documents, and a second apply changes nothing', async () => {
    const { p, host } = await pondAndHost();
    await pondOk(p, 'mkdir', '-p', '/old/sub');
    const file = join(host, 'rm.yaml');
    await writeFile(
      file,
      'version: v1\nkind: rm\nmetadata: {path: /old}\nspec: {recursive: true}\n',
    );
    expect((await pondOk(p, 'apply', '-f', file)).stdout).toContain('removed /old');
    expect((await pondOk(p, 'apply', '-f', file)).stdout).toContain('unchanged /old');
    expect((await pondOk(p, 'list', '/**')).stdout).toBe('');
  });
});

describe('diff and the history tables', () => {
  it('diffs two points: created, removed, moved, versioned', async () => {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'f.txt'), 'one');
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'copy', `host://${host}/f.txt`, '/a/f.txt');
    await pondOk(p, 'copy', `host://${host}/f.txt`, '/gone.txt');
    const from = await lastSeq(p);
    await writeFile(join(host, 'f.txt'), 'two!');
    await pondOk(p, 'copy', `host://${host}/f.txt`, '/a/f.txt');
    await pondOk(p, 'mv', '/a', '/b');
    await pondOk(p, 'rm', '/gone.txt');
    await pondOk(p, 'mkdir', '/new');
    const diff = (await pondOk(p, 'diff', String(from))).stdout;
    expect(diff).toBe(
      [
        '> /a -> /b',
        '~ /b/f.txt  v1 -> v2 (+1)  4 B',
        '- /gone.txt  file:physical:version  3 B',
        '+ /new  dir:physical',
        '',
      ].join('\n'),
    );
    expect((await pondOk(p, 'diff', String(from), String(from))).stdout).toBe('');
  });

  it('queries pond:///transactions and pond:///versions with SQL, joined and as of', async () => {
    const { p, host } = await pondAndHost();
    await copyThreeDays(p, host, '/s.series');
    await pond(p, 'mkdir', '/nope/x');
    const status = (
      await pondOk(
        p,
        'sql',
        "SELECT status, count(*) AS n FROM 'pond:///transactions' GROUP BY status ORDER BY status",
      )
    ).stdout;
    expect(status).toBe('status,n\nCOMMITTED,4\nFAILED,1\n');
    const perSeries = (
      await pondOk(
        p,
        'sql',
        `SELECT v.path, sum(v.rows) AS rows, count(*) AS versions, max(t.status) AS status
         FROM 'pond:///versions' v JOIN 'pond:///transactions' t ON v.txn_seq = t.txn_seq
         WHERE v.entry_type = 'table:physical:series' GROUP BY v.path`,
      )
    ).stdout;
    expect(perSeries).toBe('path,rows,versions,status\n/s.series,300,3,COMMITTED\n');
    const asOf = await pondOk(
      p,
      'sql',
      "SELECT count(*) AS n FROM 'pond:///versions' WHERE path = '/s.series'",
      '--as-of',
      '2',
    );
    expect(asOf.stdout).toBe('n\n1\n');
    const unknown = await pond(p, 'sql', "SELECT * FROM 'pond:///nothing'");
    expect(unknown.stderr).toMatch(/INVALID_ARGUMENT.*pond:\/\/\/transactions/);
  });
});

describe('the library', () => {
  it('Pond.at, versions, rm, mv and symlink in transactions', async () => {
    const { p } = await pondAndHost();
    const lib = await Pond.open(p);
    await lib.transaction(async (tx) => {
      await tx.mkdir('/d');
      await tx.write('/d/a.txt', 'v1');
    });
    const seq = (await lib.transactions()).at(-1)?.seq as number;
    await lib.transaction(async (tx) => {
      await tx.write('/d/a.txt', 'v2');
      await tx.mv('/d/a.txt', '/b.txt');
      await tx.symlink('/b.txt', '/l');
      await tx.rm('/d');
    });
    const then = await lib.at(seq);
    expect(then.asOfSeq).toBe(seq);
    expect(new TextDecoder().decode(await then.read('/d/a.txt'))).toBe('v1');
    expect((await then.list()).map((e) => e.path)).toEqual(['/d', '/d/a.txt']);
    expect(new TextDecoder().decode(await lib.read('/l'))).toBe('v2');
    expect(new TextDecoder().decode(await lib.read('/b.txt', { version: 1 }))).toBe('v1');
    const versions = await lib.versions('/b.txt');
    expect(versions.map((v) => [v.version, v.size])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const changes = await lib.diff(seq);
    expect(changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      'moved /b.txt',
      'versioned /b.txt',
      'removed /d',
      'created /l',
    ]);
  });
});

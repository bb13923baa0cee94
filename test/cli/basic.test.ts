// SPDX-License-Identifier: Apache-2.0
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatus } from '../../ts/cli/exit-codes.js';
import { dataVersion, listedPaths, normalize, pond, pondOk, tempDir } from '../helpers.js';

async function newPond(): Promise<string> {
  const p = join(await tempDir(), 'pond');
  await pondOk(p, 'init');
  return p;
}

const paths = listedPaths;

describe('pond CLI: init, mkdir, copy, list, cat', () => {
  it('runs the README walk-through', async () => {
    const p = await newPond();
    await pondOk(p, 'mkdir', '-p', '/a/b');
    await pondOk(p, 'copy', 'host:///etc/hosts', '/a/b/h');
    const listing = await pondOk(p, 'list', '/**');
    expect(paths(listing.stdout)).toEqual(['/a', '/a/b', '/a/b/h']);
    const cat = await pondOk(p, 'cat', '/a/b/h');
    expect(cat.bytes.equals(await readFile('/etc/hosts'))).toBe(true);
    await pondOk(p, 'copy', 'host:///etc/hosts', '/a/b/h');
    const long = await pondOk(p, 'list', '-l', '/a/b/h');
    expect(normalize(long.stdout)).toMatch(
      /^data\s+\d+(\.\d)? K?B\s+NODE@POND\s+v2\s+TIME\s+\/a\/b\/h\n$/,
    );
  });

  it('formats list lines with markers, sizes and versions', async () => {
    const p = await newPond();
    const host = await tempDir();
    await writeFile(join(host, 'x.txt'), 'hello');
    await pondOk(p, 'mkdir', '/d');
    await pondOk(p, 'copy', `host://${host}/x.txt`, '/d');
    expect(normalize((await pondOk(p, 'list')).stdout)).toBe(
      [
        '[DIR]           -  NODE@POND  v2    TIME  /d',
        '[FILE]        5 B  NODE@POND  v1    TIME  /d/x.txt',
        '',
      ].join('\n'),
    );
    expect(paths((await pondOk(p, 'list', '/')).stdout)).toEqual(['/d']);
    expect(paths((await pondOk(p, 'list', 'd/')).stdout)).toEqual(['/d/x.txt']);
    expect(paths((await pondOk(p, 'list', '/d')).stdout)).toEqual(['/d']);
    const missing = await pond(p, 'list', '/nothing/*');
    expect([missing.code, missing.stdout]).toEqual([exitStatus('NOT_FOUND'), '']);
    expect((await pondOk(p, 'list', '/d/*.none')).stdout).toBe('');
  });

  it('hides dotfiles unless -a', async () => {
    const p = await newPond();
    await pondOk(p, 'mkdir', '/.hidden');
    await pondOk(p, 'mkdir', '/shown');
    expect(paths((await pondOk(p, 'list')).stdout)).toEqual(['/shown']);
    expect(paths((await pondOk(p, 'list', '-a')).stdout)).toEqual(['/.hidden', '/shown']);
  });

  it('copies a host directory recursively and back out', async () => {
    const p = await newPond();
    const host = await tempDir();
    await mkdir(join(host, 'in', 'sub'), { recursive: true });
    await writeFile(join(host, 'in', 'a.csv'), 'x\n1\n');
    await writeFile(join(host, 'in', 'sub', 'b.txt'), 'bee');
    await pondOk(p, 'copy', `host://${host}/in`, '/data');
    expect(paths((await pondOk(p, 'list')).stdout)).toEqual([
      '/data',
      '/data/a.csv',
      '/data/sub',
      '/data/sub/b.txt',
    ]);
    const out = await tempDir();
    await pondOk(p, 'copy', '/data/**/*.txt', '/data/a.csv', `host://${out}`);
    expect(await readFile(join(out, 'data', 'sub', 'b.txt'), 'utf8')).toBe('bee');
    expect(await readFile(join(out, 'data', 'a.csv'), 'utf8')).toBe('x\n1\n');
    const whole = await tempDir();
    await pondOk(p, 'copy', '/data', `host://${whole}`);
    expect((await readdir(join(whole, 'data'))).sort()).toEqual(['a.csv', 'sub']);
  });

  it('roots host URLs at -d', async () => {
    const p = await newPond();
    const host = await tempDir();
    await writeFile(join(host, 'r.txt'), 'rooted');
    await pondOk(p, '-d', host, 'copy', 'host:///r.txt', '/r');
    expect((await pondOk(p, 'cat', '/r')).stdout).toBe('rooted');
  });

  it('logs each write transaction with its status and changes', async () => {
    const p = await newPond();
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'copy', 'host:///etc/hosts', '/a/h');
    await pond(p, 'mkdir', '/a');
    const log = normalize((await pondOk(p, 'log')).stdout);
    const heads = log.split('\n').filter((l) => /^\s+\d+ {2}/.test(l));
    expect(heads.map((l) => l.replace(/ {2}\d+ ms/, ''))).toEqual([
      '     1  COMMITTED   write  TIME  pond init',
      '     2  COMMITTED   write  TIME  pond mkdir /a',
      '     3  COMMITTED   write  TIME  pond copy host:///etc/hosts /a/h',
      '     4  FAILED      write  TIME  pond mkdir /a',
    ]);
    expect(log).toContain('error: [ALREADY_EXISTS] /a: already exists');
    expect(normalize((await pondOk(p, 'log', '--limit', '1')).stdout)).toMatch(
      /^ {5}4 {2}FAILED {6}write {2}TIME {2}\d+ ms {2}pond mkdir \/a\n/,
    );
  });

  it('describes files and directories', async () => {
    const p = await newPond();
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'copy', 'host:///etc/hosts', '/a/h');
    const text = normalize((await pondOk(p, 'describe')).stdout);
    expect(text).toContain('=== File Schema Description ===');
    expect(text).toContain('[DIR] /a\n  Type: DirectoryPhysical\n  Entries: 1');
    expect(text).toContain(
      '[FILE] /a/h\n  Type: FilePhysicalVersion\n  Format: Raw data\n  Versions: 1',
    );
  });
});

describe('pond CLI: bad input is a one-line error and changes nothing', () => {
  async function expectFailure(p: string | undefined, ...args: string[]): Promise<string> {
    const result = await pond(p, ...args);
    const code = /^Error \[([A-Z_]+)\]: [^\n]+\n$/.exec(result.stderr)?.[1];
    expect(code).toBeDefined();
    expect(result.code).toBe(exitStatus(code as string));
    expect(result.stdout).toBe('');
    return result.stderr;
  }

  it('rejects each bad command without a new transaction', async () => {
    const p = await newPond();
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'copy', 'host:///etc/hosts', '/a/f');
    const before = await dataVersion(p);
    const listing = (await pondOk(p, 'list', '-l')).stdout;
    expect(await expectFailure(p, 'cat', '/missing')).toContain('/missing');
    expect(await expectFailure(p, 'copy', 'host:///no/such/file', '/x')).toContain('/no/such/file');
    expect(await expectFailure(p, 'mkdir', '/a/f')).toContain('already exists');
    expect(await expectFailure(p, 'cat', '/a')).toContain('is a directory');
    expect(await expectFailure(p, 'init')).toContain('a pond already exists');
    expect(await expectFailure(p, 'copy', '/etc/hosts', '/x')).toContain('host:///etc/hosts');
    expect(await expectFailure(p, 'copy', 'host+table:///etc/hosts', '/t')).toContain(
      'not a valid parquet file (missing PAR1 magic bytes)',
    );
    expect(
      await expectFailure(p, 'copy', 'host:///etc/hosts', 'host:///etc/passwd', '/a/f'),
    ).toContain('existing directory');
    expect(await dataVersion(p)).toBe(before);
    expect((await pondOk(p, 'log')).stdout.match(/COMMITTED/g)?.length).toBe(3);
    expect((await pondOk(p, 'list', '-l')).stdout).toBe(listing);
  });

  it('needs a pond for pond commands', async () => {
    expect(await expectFailure(undefined, 'list')).toContain('set POND');
    const dir = await tempDir();
    expect(await expectFailure(join(dir, 'none'), 'list')).toContain('no pond at');
  });
});

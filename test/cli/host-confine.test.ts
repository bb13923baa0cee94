// SPDX-License-Identifier: Apache-2.0
// `-d DIR` confines every host path a command names (URLs in arguments and SQL, hostmount
// directories, copy-out destinations); post-commit runs write under the pond's own
// `host.root`, never the triggering command's `-d`; nothing is written through a symlink.
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { Control } from '../../ts/steward/control.js';
import { dataVersion, pondOk, tempDir } from '../helpers.js';
import { pondCoded } from './coded.js';

interface Layout {
  readonly dir: string;
  /** The host root commands get with -d: `in/a.csv`, `esc` -> outside. */
  readonly root: string;
  /** A sibling of the root holding `secret.csv`. */
  readonly outside: string;
  readonly p: string;
}

async function layout(): Promise<Layout> {
  const dir = await tempDir();
  const root = join(dir, 'root');
  const outside = join(dir, 'outside');
  await mkdir(join(root, 'in'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'in', 'a.csv'), 'x,y\n1,2\n');
  await writeFile(join(outside, 'secret.csv'), 'secret\nSENTINEL\n');
  await symlink(outside, join(root, 'esc'));
  const p = join(dir, 'p');
  await pondOk(p, 'init');
  return { dir, root, outside, p };
}

/** Expect a command to fail with `code` (and `path`), having written nothing. */
async function refused(
  p: string | undefined,
  args: string[],
  code: string,
  path?: string,
): Promise<void> {
  const before = p ? await dataVersion(p) : 0;
  const r = await pondCoded(p, ...args);
  expect(r.error, args.join(' ')).toMatchObject(path === undefined ? { code } : { code, path });
  expect(r.stdout).not.toContain('SENTINEL');
  if (p) expect(await dataVersion(p)).toBe(before);
}

const config = async (dir: string, name: string, text: string) => {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, text);
  return file;
};

async function lastError(p: string): Promise<string | null> {
  const txns = await (await Control.open(p)).transactions();
  return txns[txns.length - 1]?.error ?? null;
}

describe('-d confines host URLs', () => {
  it('refuses copy sources that climb above the root, however written', async () => {
    const { root, p } = await layout();
    const d = ['-d', root];
    const bad = ErrorCode.INVALID_ARGUMENT;
    await refused(
      p,
      [...d, 'copy', 'host:///../outside/secret.csv', '/s'],
      bad,
      '/../outside/secret.csv',
    );
    await refused(
      p,
      [...d, 'copy', 'host:///%2e%2e/outside/secret.csv', '/s'],
      bad,
      '/../outside/secret.csv',
    );
    await refused(p, [...d, 'copy', 'host:///in/%2E%2E%2f..%2foutside/secret.csv', '/s'], bad);
    await refused(p, [...d, 'copy', 'host+table:///../outside/x.parquet', '/s'], bad);
    await refused(p, [...d, 'copy', 'host:///in/a%00.csv', '/s'], bad, '/in/a\0.csv');
    await refused(p, [...d, 'copy', 'host:///in/%zz', '/s'], bad);
    // a symlink inside the root that leads out of it
    const esc = join(root, 'esc', 'secret.csv');
    await refused(p, [...d, 'copy', 'host:///esc/secret.csv', '/s'], bad, esc);
    await refused(p, [...d, 'copy', 'host:///esc', '/s'], bad, join(root, 'esc'));
    // inside the root all is as before
    await pondOk(p, ...d, 'copy', 'host:///in/a.csv', '/a.csv');
    expect((await pondOk(p, 'cat', '/a.csv')).stdout).toBe('x,y\n1,2\n');
  });

  it('refuses SQL host URLs above the root or through a symlink out of it', async () => {
    const { root } = await layout();
    const d = ['-d', root];
    const sql = (url: string) => [...d, 'sql', `SELECT * FROM '${url}'`, '--format', 'csv'];
    const bad = ErrorCode.INVALID_ARGUMENT;
    await refused(
      undefined,
      sql('host+csv:///../outside/secret.csv'),
      bad,
      '/../outside/secret.csv',
    );
    await refused(undefined, sql('host+csv:///%2e%2e/outside/*.csv'), bad);
    await refused(undefined, sql('host+csv:///esc/secret.csv'), bad);
    await refused(undefined, sql('host+csv:///esc/*.csv'), bad);
    expect((await pondOk(undefined, ...sql('host+csv:///in/*.csv'))).stdout).toBe('x,y\n1,2\n');
  });

  it('refuses host-mode paths above the root and skips symlinks out of it', async () => {
    const { root } = await layout();
    const d = ['-d', root];
    await refused(undefined, [...d, 'list', 'host:///../outside/*'], ErrorCode.INVALID_ARGUMENT);
    await refused(
      undefined,
      [...d, 'cat', 'host:///..%2foutside/secret.csv'],
      ErrorCode.INVALID_ARGUMENT,
    );
    await refused(undefined, [...d, 'cat', 'host:///esc/secret.csv'], ErrorCode.NOT_FOUND);
    await refused(undefined, ['-d', '', 'list', 'host:///'], ErrorCode.INVALID_ARGUMENT, '');
    expect((await pondOk(undefined, ...d, 'cat', 'host:///in/a.csv')).stdout).toBe('x,y\n1,2\n');
  });

  it('refuses a copy-out destination above the root or through a symlink', async () => {
    const { root, outside, p } = await layout();
    await pondOk(p, 'copy', `host://${root}/in/a.csv`, '/a.csv');
    const bad = ErrorCode.INVALID_ARGUMENT;
    await refused(p, ['-d', root, 'copy', '/a.csv', 'host:///../outside'], bad, '/../outside');
    await refused(p, ['-d', root, 'copy', '/a.csv', 'host:///esc/mirror'], bad);
    expect((await readdir(outside)).sort()).toEqual(['secret.csv']);
  });
});

describe('-d confines hostmount directories', () => {
  it('refuses empty, NUL and climbing directories at mknod', async () => {
    const { dir, p } = await layout();
    const bad = ErrorCode.INVALID_CONFIG;
    for (const [name, text] of [
      ['empty', 'directory: ""\n'],
      ['nul', 'directory: "in\\0x"\n'],
      ['up', 'directory: ../outside\n'],
      ['abs-up', 'directory: /../etc\n'],
    ] as const) {
      const file = await config(dir, name, text);
      await refused(p, ['mknod', 'hostmount', `/${name}`, '--config-path', file], bad);
    }
  });

  it('keeps an absolute directory inside -d, and relative ones under it', async () => {
    const { dir, root, outside, p } = await layout();
    await pondOk(
      p,
      'mknod',
      'hostmount',
      '/out',
      await config(dir, 'out', `directory: ${outside}\n`),
    );
    await pondOk(p, 'mknod', 'hostmount', '/rel', await config(dir, 'rel', 'directory: in\n'));
    await pondOk(p, 'mknod', 'hostmount', '/esc', await config(dir, 'esc', 'directory: esc\n'));
    await refused(p, ['-d', root, 'cat', '/out/secret.csv'], ErrorCode.INVALID_CONFIG, '/out');
    await refused(p, ['-d', root, 'list', '/out/*'], ErrorCode.INVALID_CONFIG, '/out');
    await refused(p, ['-d', root, 'list', '/esc/*'], ErrorCode.INVALID_CONFIG, '/esc');
    expect((await pondOk(p, '-d', root, 'cat', '/rel/a.csv')).stdout).toBe('x,y\n1,2\n');
    // without -d the root is `/`, as before
    expect((await pondOk(p, 'cat', '/out/secret.csv')).stdout).toContain('SENTINEL');
  });

  it('refuses --hostmount directories outside -d', async () => {
    const { root, outside } = await layout();
    const args = ['-d', root, '--hostmount', `/m=${outside}`, 'list', '/m/*'];
    await refused(undefined, args, ErrorCode.INVALID_ARGUMENT, outside);
    const inside = ['-d', root, '--hostmount', `/m=${join(root, 'in')}`, 'cat', '/m/a.csv'];
    expect((await pondOk(undefined, ...inside)).stdout).toBe('x,y\n1,2\n');
  });
});

describe('post-commit runs write under the pond host root', () => {
  async function withMirror(l: Layout, directory: string): Promise<void> {
    await pondOk(l.p, 'mkdir', '-p', '/system/run');
    await pondOk(l.p, 'mkdir', '/data');
    const file = await config(l.dir, 'mirror', `pattern: "/data/**"\ndirectory: ${directory}\n`);
    await pondOk(l.p, 'mknod', 'copy-out', '/system/run/mirror', '--config-path', file);
  }

  it("ignores the triggering command's -d: the default root holds the pond", async () => {
    const l = await layout();
    await withMirror(l, 'mirror');
    await pondOk(l.p, '-d', l.root, 'copy', 'host:///in/a.csv', '/data/a.csv');
    expect(await readFile(join(l.dir, 'mirror', 'data', 'a.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect((await readdir(l.root)).sort()).toEqual(['esc', 'in']);
    // on demand too: the node's paths are the pond's, not the caller's
    await pondOk(l.p, '-d', l.root, 'run', 'mirror');
    expect((await readdir(l.root)).sort()).toEqual(['esc', 'in']);
  });

  it('uses the host.root setting, and fails (recorded) outside it', async () => {
    const l = await layout();
    const elsewhere = join(l.dir, 'elsewhere');
    await mkdir(elsewhere);
    await refused(l.p, ['config', 'set', 'host.root', 'relative/dir'], ErrorCode.INVALID_ARGUMENT);
    await pondOk(l.p, 'config', 'set', 'host.root', elsewhere);
    await withMirror(l, 'mirror');
    await pondOk(l.p, 'copy', `host://${l.root}/in/a.csv`, '/data/a.csv');
    expect(await readFile(join(elsewhere, 'mirror', 'data', 'a.csv'), 'utf8')).toBe('x,y\n1,2\n');

    const out = await config(l.dir, 'out', `pattern: "/data/**"\ndirectory: ${l.outside}\n`);
    await pondOk(
      l.p,
      'mknod',
      'copy-out',
      '/system/run/mirror',
      '--config-path',
      out,
      '--overwrite',
    );
    expect(await lastError(l.p)).toMatch(/^\[INVALID_CONFIG\]/);
    expect((await readdir(l.outside)).sort()).toEqual(['secret.csv']);
  });
});

describe('copy-out never writes through a symlink', () => {
  it('replaces a symlinked file and refuses a symlinked directory in the mirror', async () => {
    const l = await layout();
    const mirror = join(l.dir, 'mirror');
    await mkdir(join(mirror, 'data'), { recursive: true });
    await symlink(join(l.outside, 'secret.csv'), join(mirror, 'data', 'a.csv'));
    await pondOk(l.p, 'mkdir', '-p', '/system/run');
    await pondOk(l.p, 'mkdir', '-p', '/data/sub');
    const file = await config(l.dir, 'mirror', `pattern: "/data/**"\ndirectory: ${mirror}\n`);
    await pondOk(l.p, 'mknod', 'copy-out', '/system/run/mirror', '--config-path', file);
    await pondOk(l.p, 'copy', `host://${l.root}/in/a.csv`, '/data/a.csv');
    expect(await readFile(join(mirror, 'data', 'a.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(await readFile(join(l.outside, 'secret.csv'), 'utf8')).toBe('secret\nSENTINEL\n');

    await symlink(l.outside, join(mirror, 'data', 'sub'));
    await pondOk(l.p, 'copy', `host://${l.root}/in/a.csv`, '/data/sub/b.csv');
    expect(await lastError(l.p)).toMatch(/^\[INVALID_CONFIG\]/);
    expect((await readdir(l.outside)).sort()).toEqual(['secret.csv']);
  });

  it('copy to host:/// replaces a symlinked file instead of writing through it', async () => {
    const { root, outside, p } = await layout();
    await pondOk(p, 'copy', `host://${root}/in/a.csv`, '/a.csv');
    await mkdir(join(root, 'out'));
    await symlink(join(outside, 'secret.csv'), join(root, 'out', 'a.csv'));
    await pondOk(p, '-d', root, 'copy', '/a.csv', 'host:///out');
    expect(await readFile(join(root, 'out', 'a.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(await readFile(join(outside, 'secret.csv'), 'utf8')).toBe('secret\nSENTINEL\n');
  });
});

describe('apply', () => {
  it('refuses copy sources above -d', async () => {
    const { dir, root, p } = await layout();
    const file = await config(
      dir,
      'apply',
      'version: v1\nkind: copy\nmetadata: {path: /s}\nspec: {source: "host:///../outside/secret.csv"}\n',
    );
    await refused(p, ['-d', root, 'apply', '-f', file], ErrorCode.INVALID_ARGUMENT);
  });
});

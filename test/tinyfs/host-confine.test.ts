// SPDX-License-Identifier: Apache-2.0
// Host paths under a root, and host directories read without following symlinks: the
// resolver's rules, symlinks swapped in after a listing, and a swap race whose invariant is
// that no read ever returns the outside file.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PondError } from '../../ts/errors.js';
import { EntryType } from '../../ts/tinyfs/entry-type.js';
import { HostDirectory, type HostFile } from '../../ts/tinyfs/host.js';
import { HeldDir, holdHostDir, writeBelow } from '../../ts/tinyfs/host-dir.js';
import { hostConfigPath, hostUrlPath, realInside } from '../../ts/tinyfs/host-path.js';
import type { Node } from '../../ts/tinyfs/node.js';
import { collect } from '../../ts/tinyfs/persistence.js';
import { tempDir } from '../helpers.js';

const coded = (code: string, path?: string) =>
  expect.objectContaining(path === undefined ? { code } : { code, path });

const ref = { id: 'mount', partId: 'mount', entryType: EntryType.DirectoryDynamic };

/** A root with `mnt/in.txt` and `mnt/sub/deep.txt`, and an outside directory with a secret. */
async function layout(): Promise<{ root: string; mnt: string; outside: string }> {
  const dir = await tempDir();
  const root = join(dir, 'root');
  const mnt = join(root, 'mnt');
  const outside = join(dir, 'outside');
  await mkdir(join(mnt, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(mnt, 'in.txt'), 'inside\n');
  await writeFile(join(mnt, 'sub', 'deep.txt'), 'deep inside\n');
  await writeFile(join(outside, 'secret.txt'), 'SECRET\n');
  await writeFile(join(outside, 'deep.txt'), 'SECRET deep\n');
  return { root, mnt, outside };
}

function mount(root: string, mnt: string): HostDirectory {
  return new HostDirectory(mnt, ref, { dir: mnt, root });
}

async function child(dir: HostDirectory, name: string): Promise<Node> {
  const node = await dir.get(name);
  if (!node) throw new Error(`no ${name}`);
  return node;
}

function fileOf(node: Node): HostFile {
  if (node.kind !== 'file') throw new Error('not a file');
  return node.file as HostFile;
}

const text = async (file: HostFile) => new TextDecoder().decode(await collect(file.read()));

describe('host path resolution', () => {
  it('puts URL paths under the root and refuses .., empty and NUL paths', () => {
    expect(hostUrlPath('/srv', '/in/a.csv')).toBe('/srv/in/a.csv');
    expect(hostUrlPath('/srv', '/in/../a.csv')).toBe('/srv/a.csv');
    expect(hostUrlPath('/srv', '/')).toBe('/srv');
    expect(hostUrlPath('/', '/etc/hosts')).toBe('/etc/hosts');
    for (const bad of ['/../x', '/a/../../x', '/..', '', '/a\0b', '../x']) {
      expect(() => hostUrlPath('/srv', bad)).toThrow(coded(ErrorCode.INVALID_ARGUMENT, bad));
    }
    // `..` above `/` is refused even when the root is the whole filesystem
    expect(() => hostUrlPath('/', '/../etc/passwd')).toThrow(coded(ErrorCode.INVALID_ARGUMENT));
  });

  it('puts relative config paths under the root and keeps absolute ones inside it', () => {
    expect(hostConfigPath('/srv', 'mirror')).toBe('/srv/mirror');
    expect(hostConfigPath('/srv', '/srv/mirror')).toBe('/srv/mirror');
    expect(hostConfigPath('/srv', '/srv')).toBe('/srv');
    expect(hostConfigPath('/', '/tmp/x')).toBe('/tmp/x');
    for (const bad of ['', '../x', 'a/../../x', '/etc', '/srv2', '/srv/../etc', 'a\0b', '/../x']) {
      expect(() => hostConfigPath('/srv', bad)).toThrow(coded(ErrorCode.INVALID_CONFIG, bad));
    }
  });

  it('refuses a path that leaves the root through a symlink, dangling ones included', async () => {
    const { root, outside } = await layout();
    await symlink(outside, join(root, 'esc'));
    await symlink(join(outside, 'nothing'), join(root, 'dangling'));
    await symlink(join(root, 'mnt'), join(root, 'alias'));
    const code = ErrorCode.INVALID_ARGUMENT;
    const esc = join(root, 'esc', 'secret.txt');
    await expect(realInside(root, esc, code)).rejects.toThrow(coded(code, esc));
    const below = join(root, 'esc', 'new', 'file');
    await expect(realInside(root, below, code)).rejects.toThrow(coded(code, below));
    const dangling = join(root, 'dangling', 'x');
    await expect(realInside(root, dangling, code)).rejects.toThrow(coded(code, dangling));
    // symlinks that stay inside are fine, and missing paths have no real path yet
    expect(await realInside(root, join(root, 'alias', 'in.txt'), code)).toBe(
      join(root, 'mnt', 'in.txt'),
    );
    expect(await realInside(root, join(root, 'new', 'x'), code)).toBeNull();
  });
});

describe('host mounts never follow a symlink', () => {
  it('reads files and subdirectories inside the mount', async () => {
    const { root, mnt } = await layout();
    const dir = mount(root, mnt);
    expect((await dir.entries()).map(([name]) => name)).toEqual(['in.txt', 'sub']);
    expect(await text(fileOf(await child(dir, 'in.txt')))).toBe('inside\n');
    const sub = await child(dir, 'sub');
    if (sub.kind !== 'directory') throw new Error('not a directory');
    expect(await text(fileOf(await child(sub.dir as HostDirectory, 'deep.txt')))).toBe(
      'deep inside\n',
    );
  });

  it('refuses to read a file replaced by a symlink after it was listed', async () => {
    const { root, mnt, outside } = await layout();
    const file = fileOf(await child(mount(root, mnt), 'in.txt'));
    await rm(join(mnt, 'in.txt'));
    await symlink(join(outside, 'secret.txt'), join(mnt, 'in.txt'));
    const path = join(mnt, 'in.txt');
    await expect(text(file)).rejects.toThrow(coded(ErrorCode.NOT_FOUND, path));
    await expect(file.localPath()).rejects.toThrow(coded(ErrorCode.NOT_FOUND, path));
    expect(await file.versions()).toEqual([]);
  });

  it('refuses a subdirectory replaced by a symlink, and files below it', async () => {
    const { root, mnt, outside } = await layout();
    const sub = await child(mount(root, mnt), 'sub');
    if (sub.kind !== 'directory') throw new Error('not a directory');
    const deep = fileOf(await child(sub.dir as HostDirectory, 'deep.txt'));
    await rename(join(mnt, 'sub'), join(root, 'sub-moved'));
    await symlink(outside, join(mnt, 'sub'));
    const subPath = join(mnt, 'sub');
    await expect(sub.dir.entries()).rejects.toThrow(coded(ErrorCode.NOT_FOUND, subPath));
    await expect(sub.dir.get('secret.txt')).rejects.toThrow(coded(ErrorCode.NOT_FOUND, subPath));
    await expect(text(deep)).rejects.toThrow(coded(ErrorCode.NOT_FOUND));
  });

  it('checks the opened handle: a swap after the open changes nothing read', async () => {
    const { root, mnt, outside } = await layout();
    const file = fileOf(await child(mount(root, mnt), 'in.txt'));
    const handle = await file.open();
    await rename(join(mnt, 'in.txt'), join(root, 'moved.txt'));
    await symlink(join(outside, 'secret.txt'), join(mnt, 'in.txt'));
    try {
      expect((await handle.readFile()).toString()).toBe('inside\n');
    } finally {
      await handle.close();
    }
  });

  it('refuses a mount whose directory leads outside the root', async () => {
    const { root, outside } = await layout();
    await symlink(outside, join(root, 'esc'));
    const esc = join(root, 'esc');
    await expect(mount(root, esc).entries()).rejects.toThrow(coded(ErrorCode.INVALID_CONFIG, esc));
    // with the whole filesystem as the root, the same mount is allowed
    expect((await mount('/', esc).entries()).map(([n]) => n)).toEqual(['deep.txt', 'secret.txt']);
  });

  it('does not hang on a FIFO swapped in for a file', async () => {
    const { root, mnt } = await layout();
    const file = fileOf(await child(mount(root, mnt), 'in.txt'));
    await rm(join(mnt, 'in.txt'));
    execFileSync('mkfifo', [join(mnt, 'in.txt')]);
    await expect(text(file)).rejects.toThrow(coded(ErrorCode.NOT_FOUND));
  }, 10_000);

  it('never returns the outside file while a file and a symlink swap places (invariant)', async () => {
    const { root, mnt, outside } = await layout();
    const path = join(mnt, 'in.txt');
    const file = fileOf(await child(mount(root, mnt), 'in.txt'));
    await writeFile(join(root, 'real.txt'), 'inside\n');
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    const reads = 400;
    let done = false;
    const swapper = (async () => {
      let swaps = 0;
      while (!done) {
        // Put the real file or the symlink at `path`, each by an atomic rename of a copy.
        const toLink = swaps % 2 === 0;
        if (toLink) await symlink(join(outside, 'secret.txt'), `${path}.next`);
        else await writeFile(`${path}.next`, 'inside\n');
        await rename(`${path}.next`, path);
        swaps++;
      }
      return swaps;
    })();
    const seen = { inside: 0, refused: 0, outside: 0 };
    for (let i = 0; i < reads; i++) {
      try {
        const got = await text(file);
        if (got === 'inside\n') seen.inside++;
        else seen.outside++;
      } catch (err) {
        if (!(err instanceof PondError)) throw err;
        seen.refused++;
      }
    }
    done = true;
    const swaps = await swapper;
    expect(seen.outside).toBe(0);
    expect(seen.inside + seen.refused).toBe(reads);
    expect(swaps).toBeGreaterThan(0);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('SECRET\n');
  });
});

describe('writing below a host directory', () => {
  const bytes = (s: string) =>
    (async function* () {
      yield new TextEncoder().encode(s);
    })();

  it('replaces a symlink where a file goes, and never writes through it', async () => {
    const { root, outside } = await layout();
    const out = join(root, 'out');
    await mkdir(join(out, 'data'), { recursive: true });
    await symlink(join(outside, 'secret.txt'), join(out, 'data', 'a.txt'));
    const base = await holdHostDir(root, out, ErrorCode.INVALID_ARGUMENT);
    try {
      const code = ErrorCode.INVALID_ARGUMENT;
      expect(await writeBelow(base, ['data', 'a.txt'], bytes('mirrored\n'), { code })).toBe(true);
    } finally {
      await base.close();
    }
    expect(await readFile(join(out, 'data', 'a.txt'), 'utf8')).toBe('mirrored\n');
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('SECRET\n');
  });

  it('refuses a directory on the way that is a symlink, creating nothing outside', async () => {
    const { root, outside } = await layout();
    const out = join(root, 'out');
    await mkdir(out);
    await symlink(outside, join(out, 'data'));
    const base = await HeldDir.open(out, out, ErrorCode.INVALID_CONFIG);
    const code = ErrorCode.INVALID_CONFIG;
    try {
      await expect(
        writeBelow(base, ['data', 'new', 'a.txt'], bytes('x'), { code }),
      ).rejects.toThrow(coded(code, join(out, 'data')));
    } finally {
      await base.close();
    }
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(outside)).sort()).toEqual(['deep.txt', 'secret.txt']);
  });

  it('refuses a destination that leaves the root through a symlink', async () => {
    const { root, outside } = await layout();
    await symlink(outside, join(root, 'esc'));
    const dest = join(root, 'esc', 'mirror');
    await expect(holdHostDir(root, dest, ErrorCode.INVALID_CONFIG)).rejects.toThrow(
      coded(ErrorCode.INVALID_CONFIG, dest),
    );
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(outside)).sort()).toEqual(['deep.txt', 'secret.txt']);
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { EntryType } from '../../ts/tinyfs/entry-type.js';
import { FS, type WD } from '../../ts/tinyfs/fs.js';
import { MemoryPersistence } from '../../ts/tinyfs/memory.js';
import { readContent } from '../../ts/tinyfs/node.js';
import { collect } from '../../ts/tinyfs/persistence.js';

const bytes = (s: string) => ({ kind: 'bytes' as const, bytes: new TextEncoder().encode(s) });
const text = async (root: WD, path: string) =>
  new TextDecoder().decode(await collect(readContent((await root.file(path)).node)));
const code = (c: string) => expect.objectContaining({ code: c });

async function fresh(): Promise<WD> {
  return new FS(new MemoryPersistence()).root();
}

async function paths(root: WD, pattern: string): Promise<string[]> {
  const out: string[] = [];
  for await (const m of root.glob(pattern)) out.push(m.np.path);
  return out.sort();
}

describe('tinyfs on memory', () => {
  it('creates directories, with and without parents', async () => {
    const root = await fresh();
    await root.mkdir('/a');
    await expect(root.mkdir('/a')).rejects.toThrow(code(ErrorCode.ALREADY_EXISTS));
    await expect(root.mkdir('/x/y')).rejects.toThrow(code(ErrorCode.NOT_FOUND));
    await root.mkdir('/a/b/c', { parents: true });
    await root.mkdir('/a/b/c', { parents: true });
    expect(await paths(root, '/**')).toEqual(['/', '/a', '/a/b', '/a/b/c']);
  });

  it('writes versions and reads the newest; raw series concatenate', async () => {
    const root = await fresh();
    await root.writeFile('/f', bytes('one'));
    const second = await root.writeFile('/f', bytes('two'));
    expect(second.created).toBe(false);
    expect(second.version?.version).toBe(2);
    expect(await text(root, '/f')).toBe('two');
    await root.createFile('/s', EntryType.FilePhysicalSeries, bytes('a,'));
    await root.writeFile('/s', bytes('b'));
    expect(await text(root, '/s')).toBe('a,b');
  });

  it('refuses to mix entry types across versions', async () => {
    const root = await fresh();
    await root.writeFile('/f', bytes('x'));
    await expect(
      root.writeFile('/f', bytes('y'), { entryType: EntryType.TablePhysicalVersion }),
    ).rejects.toThrow(code(ErrorCode.SCHEMA_MISMATCH));
  });

  it('reports directories and files in the wrong place with codes', async () => {
    const root = await fresh();
    await root.mkdir('/d');
    await root.writeFile('/f', bytes('x'));
    await expect(root.file('/d')).rejects.toThrow(code(ErrorCode.IS_A_DIRECTORY));
    await expect(root.writeFile('/d', bytes('x'))).rejects.toThrow(code(ErrorCode.IS_A_DIRECTORY));
    await expect(root.mkdir('/f')).rejects.toThrow(code(ErrorCode.ALREADY_EXISTS));
    await expect(root.mkdir('/f/g', { parents: true })).rejects.toThrow(
      code(ErrorCode.NOT_A_DIRECTORY),
    );
    await expect(root.get('/nope')).rejects.toThrow(code(ErrorCode.NOT_FOUND));
  });

  it('follows symlinks, relative and absolute, and stops loops', async () => {
    const root = await fresh();
    await root.mkdir('/a/b', { parents: true });
    await root.writeFile('/a/b/f', bytes('hi'));
    await root.symlink('/abs', '/a/b/f');
    await root.symlink('/a/rel', 'b/f');
    await root.symlink('/dirlink', '/a/b');
    expect(await text(root, '/abs')).toBe('hi');
    expect(await text(root, '/a/rel')).toBe('hi');
    expect(await text(root, '/dirlink/f')).toBe('hi');
    const link = await root.get('/abs', { follow: false });
    expect(link.node.kind).toBe('symlink');
    await root.symlink('/loop1', '/loop2');
    await root.symlink('/loop2', '/loop1');
    await expect(root.get('/loop1')).rejects.toThrow(code(ErrorCode.SYMLINK_LOOP));
  });

  it('globs with captures across the tree', async () => {
    const root = await fresh();
    for (const p of ['/s/north/t.series', '/s/south/t.series', '/s/south/u.csv', '/top.csv']) {
      await root.mkdir(p.slice(0, p.lastIndexOf('/')) || '/', { parents: true });
      await root.writeFile(p, bytes(p));
    }
    const caps: string[][] = [];
    for await (const m of root.glob('/s/*/t.series')) caps.push([...m.captures]);
    expect(caps).toEqual([['north'], ['south']]);
    expect(await paths(root, '/**/*.csv')).toEqual(['/s/south/u.csv', '/top.csv']);
    expect(await paths(root, '/s/*/[tu].*')).toEqual([
      '/s/north/t.series',
      '/s/south/t.series',
      '/s/south/u.csv',
    ]);
    expect(await paths(root, '/nothing/*')).toEqual([]);
    const sub = await root.cd('/s');
    expect(await paths(sub, '*/u.csv')).toEqual(['/s/south/u.csv']);
  });

  it('rejects invalid names', async () => {
    const root = await fresh();
    await expect(root.writeFile('/a\0b', bytes('x'))).rejects.toThrow(
      code(ErrorCode.INVALID_ARGUMENT),
    );
  });
});

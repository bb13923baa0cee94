// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { FS, type WD } from '../../ts/tinyfs/fs.js';
import { MemoryPersistence } from '../../ts/tinyfs/memory.js';
import { readContent } from '../../ts/tinyfs/node.js';
import { collect } from '../../ts/tinyfs/persistence.js';

const bytes = (s: string) => ({ kind: 'bytes' as const, bytes: new TextEncoder().encode(s) });
const text = async (root: WD, path: string) =>
  new TextDecoder().decode(await collect(readContent((await root.file(path)).node)));
const code = (c: string) => expect.objectContaining({ code: c });

async function tree(): Promise<WD> {
  const root = await new FS(new MemoryPersistence()).root();
  await root.mkdir('/a/b', { parents: true });
  await root.writeFile('/a/b/f', bytes('one'));
  await root.writeFile('/a/b/f', bytes('two'));
  await root.writeFile('/a/g', bytes('g'));
  await root.mkdir('/empty');
  return root;
}

async function paths(root: WD): Promise<string[]> {
  const out: string[] = [];
  for await (const m of root.glob('/**')) out.push(m.np.path);
  return out.sort();
}

describe('remove', () => {
  it('removes files, empty directories, and directories with entries only when recursive', async () => {
    const root = await tree();
    await root.remove('/a/g');
    await root.remove('/empty');
    await expect(root.remove('/a')).rejects.toThrow(code(ErrorCode.INVALID_ARGUMENT));
    expect(await paths(root)).toEqual(['/', '/a', '/a/b', '/a/b/f']);
    await root.remove('/a', { recursive: true });
    expect(await paths(root)).toEqual(['/']);
  });

  it('removes a symlink, not its target, and refuses / and missing paths', async () => {
    const root = await tree();
    await root.symlink('/link', '/a/g');
    await root.remove('/link');
    expect(await text(root, '/a/g')).toBe('g');
    await expect(root.remove('/')).rejects.toThrow(code(ErrorCode.INVALID_ARGUMENT));
    await expect(root.remove('/nope')).rejects.toThrow(code(ErrorCode.NOT_FOUND));
  });
});

describe('move', () => {
  it('renames in place and moves into an existing directory, keeping node ids and versions', async () => {
    const root = await tree();
    const before = await root.get('/a/b/f');
    await root.move('/a/b/f', '/a/h');
    const after = await root.get('/a/h');
    expect(after.node.ref.id).toBe(before.node.ref.id);
    expect(await text(root, '/a/h')).toBe('two');
    expect((await root.fs.persistence.versions(after.node.ref)).map((v) => v.version)).toEqual([
      1, 2,
    ]);
    await root.move('/a/h', '/empty');
    expect(await text(root, '/empty/h')).toBe('two');
    expect(await paths(root)).toEqual(['/', '/a', '/a/b', '/a/g', '/empty', '/empty/h']);
  });

  it('moves a directory with its subtree', async () => {
    const root = await tree();
    const id = (await root.get('/a/b')).node.ref.id;
    await root.move('/a', '/z');
    expect((await root.get('/z/b')).node.ref.id).toBe(id);
    expect(await text(root, '/z/b/f')).toBe('two');
  });

  it('refuses an existing file as destination and a directory moved into itself', async () => {
    const root = await tree();
    await expect(root.move('/a/g', '/a/b/f')).rejects.toThrow(code(ErrorCode.ALREADY_EXISTS));
    await root.writeFile('/empty/g', bytes('other'));
    await expect(root.move('/a/g', '/empty')).rejects.toThrow(code(ErrorCode.ALREADY_EXISTS));
    await expect(root.move('/a', '/a/b')).rejects.toThrow(code(ErrorCode.INVALID_ARGUMENT));
    await expect(root.move('/a', '/a/b/c')).rejects.toThrow(code(ErrorCode.INVALID_ARGUMENT));
    await expect(root.move('/', '/x')).rejects.toThrow(code(ErrorCode.INVALID_ARGUMENT));
    expect(await paths(root)).toEqual(['/', '/a', '/a/b', '/a/b/f', '/a/g', '/empty', '/empty/g']);
  });
});

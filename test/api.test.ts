// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../ts/index.js';
import { addon } from '../ts/native/addon.js';
import { REPO, tempDir } from './helpers.js';

describe('the public API', () => {
  it('exports a curated list', () => {
    expect(Object.keys(api).sort()).toEqual([
      'EntryType',
      'ErrorCode',
      'Pond',
      'PondError',
      'PondView',
      'Registry',
      'Transaction',
      'defaultRegistry',
      'defineFactory',
      'schema',
    ]);
  });

  it('wraps every native export', async () => {
    const binding = addon() as unknown as Record<string, unknown>;
    expect(Object.keys(binding).sort()).toEqual([
      'NativeBatchStream',
      'NativeContentReader',
      'NativeContentWriter',
      'NativeControl',
      'NativeEngine',
      'NativeRemote',
      'NativeStore',
      'NativeTxn',
      'blake3File',
      'blake3Hex',
      'errorCodes',
      'maintainTable',
      'parsedFormats',
      'pondLayout',
      'renderTemplate',
      'tableStats',
    ]);
    const wrappers: [string, string, RegExp][] = [
      ['NativeStore', 'store.ts', /native\.(\w+)\b/g],
      ['NativeEngine', 'engine.ts', /native\(\)\.(\w+)\(/g],
    ];
    for (const [cls, file, pattern] of wrappers) {
      const text = await readFile(join(REPO, 'ts', 'native', file), 'utf8');
      const wrapped = new Set([...text.matchAll(pattern)].map((m) => m[1]));
      const proto = (binding[cls] as { prototype: object }).prototype;
      for (const method of Object.getOwnPropertyNames(proto)) {
        if (method === 'constructor') continue;
        expect(wrapped.has(method), `ts/native/${file} wraps ${cls}.${method}`).toBe(true);
      }
    }
  });

  it('creates, writes, lists and reads through Pond', async () => {
    const path = join(await tempDir(), 'p');
    const pond = await api.Pond.create(path);
    await pond.transaction(async (tx) => {
      await tx.mkdir('/notes/2024', { parents: true });
      await tx.write('/notes/2024/a.txt', 'alpha');
      await tx.write('/notes/2024/a.txt', new TextEncoder().encode('beta'));
      expect(new TextDecoder().decode(await tx.read('/notes/2024/a.txt'))).toBe('beta');
    });
    const reopened = await api.Pond.open(path);
    expect(reopened.id).toBe(pond.id);
    const entries = await reopened.list();
    expect(entries.map((e) => [e.path, e.entryType, e.version])).toEqual([
      ['/notes', 'dir:physical', 1],
      ['/notes/2024', 'dir:physical', 1],
      ['/notes/2024/a.txt', 'file:physical:version', 2],
    ]);
    expect(new TextDecoder().decode(await reopened.read('/notes/2024/a.txt'))).toBe('beta');
  });

  it('fails with stable codes', async () => {
    const dir = await tempDir();
    await expect(api.Pond.open(join(dir, 'none'))).rejects.toMatchObject({ code: 'NOT_A_POND' });
    const pond = await api.Pond.create(join(dir, 'p'));
    await expect(pond.read('/nope')).rejects.toMatchObject({ code: 'NOT_FOUND', path: '/nope' });
    await expect(api.Pond.create(join(dir, 'p'))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(
      pond.transaction(async (tx) => {
        await tx.copyIn(join(dir, 'missing.bin'), '/m');
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const err = await pond.read('/nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(api.PondError);
  });
});

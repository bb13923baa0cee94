// SPDX-License-Identifier: Apache-2.0
/** tlogfs over the real addon and a real Delta table in a temp directory. */
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { Steward } from '../../ts/steward/steward.js';
import { EntryType } from '../../ts/tinyfs/entry-type.js';
import { readContent } from '../../ts/tinyfs/node.js';
import { collect } from '../../ts/tinyfs/persistence.js';
import { tempDir } from '../helpers.js';

const bytes = (b: Uint8Array | string) => ({
  kind: 'bytes' as const,
  bytes: typeof b === 'string' ? new TextEncoder().encode(b) : b,
});
const code = (c: string) => expect.objectContaining({ code: c });

async function newSteward(): Promise<{ steward: Steward; path: string }> {
  const path = join(await tempDir(), 'pond');
  return { steward: await Steward.create(path, { args: ['test', 'init'] }), path };
}

async function largeFiles(path: string): Promise<string[]> {
  return (await readdir(join(path, 'data', '_large_files'))).filter((n) => n.startsWith('blake3='));
}

describe('tlogfs on Delta', () => {
  it('commits a transaction as one table version and reads it back after reopening', async () => {
    const { steward, path } = await newSteward();
    expect(steward.store.version).toBe(0);
    const result = await steward.write(['t'], async (root) => {
      await root.mkdir('/a/b', { parents: true });
      await root.writeFile('/a/b/f', bytes('hello'));
    });
    expect(result).toMatchObject({ committed: true, txnSeq: 2 });
    expect(steward.store.version).toBe(1);
    const reopened = await Steward.open(path);
    expect(reopened.pondId).toBe(steward.pondId);
    const root = await reopened.reader();
    const np = await root.file('/a/b/f');
    expect(new TextDecoder().decode(await collect(readContent(np.node)))).toBe('hello');
  });

  it('shows staged rows to the transaction itself, and to nobody else', async () => {
    const { steward } = await newSteward();
    await steward.write(['t'], async (root) => {
      await root.writeFile('/f', bytes('v1'));
      await root.writeFile('/f', bytes('v2'));
      const np = await root.file('/f');
      expect((await np.node.file.versions()).map((v) => v.version)).toEqual([1, 2]);
      expect(new TextDecoder().decode(await collect(readContent(np.node)))).toBe('v2');
      const outside = await steward.reader();
      await expect(outside.get('/f')).rejects.toThrow(code(ErrorCode.NOT_FOUND));
    });
  });

  it('commits nothing when the transaction changes nothing or throws', async () => {
    const { steward } = await newSteward();
    const unchanged = await steward.write(['t'], async () => 42);
    expect(unchanged).toMatchObject({ committed: false, value: 42 });
    await expect(
      steward.write(['t'], async (root) => {
        await root.mkdir('/x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(steward.store.version).toBe(0);
    await expect((await steward.reader()).get('/x')).rejects.toThrow(code(ErrorCode.NOT_FOUND));
    const next = await steward.write(['t'], (root) => root.mkdir('/y'));
    // the no-op and the failed transaction keep their numbers (the control table has them)
    expect(next.txnSeq).toBe(4);
    expect((await steward.transactions()).map((t) => `${t.seq} ${t.status}`)).toEqual([
      '1 COMMITTED',
      '2 COMPLETED',
      '3 FAILED',
      '4 COMMITTED',
    ]);
  });

  it('stores content of 64 KiB and more once, by BLAKE3, and streams it back', async () => {
    const { steward, path } = await newSteward();
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const small = randomBytes(64 * 1024 - 1);
    await steward.write(['t'], async (root) => {
      await root.writeFile('/big', bytes(big));
      await root.writeFile('/small', bytes(small));
    });
    expect(await largeFiles(path)).toHaveLength(1);
    await steward.write(['t'], (root) =>
      root.writeFile('/big-again', bytes(big)).then(() => undefined),
    );
    expect(await largeFiles(path)).toHaveLength(1);
    const root = await steward.reader();
    const bigNode = (await root.file('/big')).node;
    const [version] = await bigNode.file.versions();
    expect(version).toMatchObject({ large: true, size: big.length });
    const chunks: Uint8Array[] = [];
    for await (const chunk of readContent(bigNode)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    const smallVersion = (await (await root.file('/small')).node.file.versions())[0];
    expect(smallVersion).toMatchObject({ large: false, size: small.length });
    expect(
      Buffer.from(await collect(readContent((await root.file('/small')).node))).equals(small),
    ).toBe(true);
  });

  it('streams chunked writes and host files through the content writer', async () => {
    const { steward } = await newSteward();
    const host = join(await tempDir(), 'h.bin');
    const data = randomBytes(200_000);
    await writeFile(host, data);
    async function* chunks() {
      for (let i = 0; i < data.length; i += 7000) yield data.subarray(i, i + 7000);
    }
    await steward.write(['t'], async (root) => {
      await root.writeFile('/from-host', { kind: 'hostFile', path: host });
      await root.writeFile('/from-stream', { kind: 'stream', chunks: chunks() });
    });
    const root = await steward.reader();
    for (const p of ['/from-host', '/from-stream']) {
      const [v] = await (await root.file(p)).node.file.versions();
      expect(v?.blake3).toMatch(/^[0-9a-f]{64}$/);
      expect(Buffer.from(await collect(readContent((await root.file(p)).node))).equals(data)).toBe(
        true,
      );
    }
  });

  it('reads an older table version (time travel)', async () => {
    const { steward } = await newSteward();
    await steward.write(['t'], (root) => root.writeFile('/f', bytes('old')));
    await steward.write(['t'], (root) => root.writeFile('/f', bytes('new')));
    const past = await steward.reader({ tableVersion: 1 });
    expect(new TextDecoder().decode(await collect(readContent((await past.file('/f')).node)))).toBe(
      'old',
    );
  });

  it('lets only one writer hold the lock', async () => {
    const { steward, path } = await newSteward();
    const other = await Steward.open(path);
    await steward.write(['t'], async () => {
      await expect(other.write(['t'], (root) => root.mkdir('/x'))).rejects.toThrow(
        code(ErrorCode.LOCKED),
      );
    });
    await other.write(['t'], (root) => root.mkdir('/x'));
  });

  it('keeps file versions and entry types', async () => {
    const { steward } = await newSteward();
    await steward.write(['t'], async (root) => {
      await root.createFile('/s', EntryType.FilePhysicalSeries, bytes('a'));
    });
    await steward.write(['t'], async (root) => {
      await root.writeFile('/s', bytes('b'));
    });
    const np = await (await steward.reader()).file('/s');
    expect(np.node.ref.entryType).toBe(EntryType.FilePhysicalSeries);
    expect(new TextDecoder().decode(await collect(readContent(np.node)))).toBe('ab');
  });
});

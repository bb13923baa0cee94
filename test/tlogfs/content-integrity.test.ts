// SPDX-License-Identifier: Apache-2.0
/**
 * Large content is verified when it is read: streamed reads hash as they go, queries check
 * a file before they range-read it. Write failures are IO errors that leave no temporary
 * files. Ponds live happily under paths with any characters.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { pick, prng } from '../fuzz.js';
import { BIN, pond as cli, codeOf, readingsSql, tempDir, writeParquet } from '../helpers.js';

async function largeFiles(pondDir: string): Promise<string[]> {
  const dir = join(pondDir, 'data', '_large_files');
  return (await readdir(dir).catch(() => [] as string[])).map((n) => join(dir, n));
}

/** Flip one byte in the middle of a file, keeping its size. */
async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const i = Math.floor(bytes.length / 2);
  bytes[i] = (bytes[i] ?? 0) ^ 0xff;
  await writeFile(path, bytes);
}

describe('large content verification', () => {
  it('a corrupted large raw file fails its read with CORRUPT', async () => {
    const dir = await tempDir();
    const p = join(dir, 'p');
    const pond = await Pond.create(p);
    const content = Buffer.alloc(200_000, 7);
    await pond.transaction((tx) => tx.write('/big.bin', content));
    expect(Buffer.from(await pond.read('/big.bin')).equals(content)).toBe(true);
    const [file] = await largeFiles(p);
    await flipByte(file as string);
    expect(await codeOf(pond.read('/big.bin'))).toBe('CORRUPT');
    const cat = await cli(p, 'cat', '/big.bin');
    expect(cat.code).not.toBe(0);
    expect(cat.stderr).toContain('CORRUPT');
  });

  it('a corrupted or truncated large series fails queries with CORRUPT', async () => {
    const dir = await tempDir();
    const p = join(dir, 'p');
    const pond = await Pond.create(p);
    const parquet = join(dir, 's.parquet');
    await writeParquet(parquet, readingsSql('2024-01-01T00:00:00Z', 20_000));
    await pond.transaction((tx) =>
      tx.copyIn(parquet, '/s.series', { entryType: EntryType.TablePhysicalSeries }),
    );
    const count = `SELECT count(*) AS n FROM '/s.series'`;
    expect(Number((await pond.sql(count)).getChild('n')?.get(0))).toBe(20_000);
    const [file] = await largeFiles(p);
    const good = await readFile(file as string);
    await flipByte(file as string);
    expect(await codeOf(Pond.open(p).then((q) => q.sql(count)))).toBe('CORRUPT');
    await writeFile(file as string, good.subarray(0, good.length - 10));
    expect(await codeOf(Pond.open(p).then((q) => q.sql(count)))).toBe('CORRUPT');
    // The stamp of a verified file is only trusted while the file is unchanged.
    await writeFile(file as string, good);
    const healed = await Pond.open(p);
    expect(Number((await healed.sql(count)).getChild('n')?.get(0))).toBe(20_000);
    await appendFile(file as string, 'x');
    expect(await codeOf(Pond.open(p).then((q) => q.sql(count)))).toBe('CORRUPT');
  });
});

describe('write failures', () => {
  it('a write past the file-size limit is an IO error, leaves no temporaries and no change', async () => {
    const dir = await tempDir();
    const p = join(dir, 'p');
    await Pond.create(p);
    const big = join(dir, 'big.bin');
    await writeFile(big, Buffer.alloc(2_000_000, 1));
    const before = await cli(p, 'list', '/**');
    // RLIMIT_FSIZE: writes past 512 KiB fail with EFBIG (Node ignores SIGXFSZ).
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        'bash',
        ['-c', `ulimit -f 512; exec "${process.execPath}" "${BIN}" copy "host://${big}" /big.bin`],
        {
          env: { ...process.env, POND: p },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('[IO]');
    expect(result.stderr).not.toContain('panicked');
    const leftovers = (await largeFiles(p)).filter((f) => f.includes('.tmp-'));
    expect(leftovers).toEqual([]);
    expect((await cli(p, 'list', '/**')).stdout).toBe(before.stdout);
  });
});

describe('pond paths with any characters', () => {
  const CHARS = [
    'a',
    'é',
    ' ',
    '#',
    '%',
    '%&',
    '{',
    '}',
    '*',
    '?',
    '[',
    ']',
    '|',
    '^',
    '1',
    'ü',
    '+',
    '&',
    "'",
  ];

  it('init, write, list and query work under seeded random directory names', async () => {
    const rand = prng(9);
    const base = await tempDir();
    for (let i = 0; i < 6; i++) {
      const name = Array.from({ length: 2 + Math.floor(rand() * 6) }, () => pick(rand, CHARS)).join(
        '',
      );
      const p = join(base, `${i}-${name}`, 'pond');
      await mkdir(join(base, `${i}-${name}`), { recursive: true });
      const pond = await Pond.create(p);
      const small = join(base, `small${i}.parquet`);
      const large = join(base, `large${i}.parquet`);
      await writeParquet(small, readingsSql('2024-01-01T00:00:00Z', 10));
      await writeParquet(large, readingsSql('2024-02-01T00:00:00Z', 20_000));
      await pond.transaction(async (tx) => {
        await tx.copyIn(small, '/s.series', { entryType: EntryType.TablePhysicalSeries });
        await tx.copyIn(large, '/s.series', { entryType: EntryType.TablePhysicalSeries });
        await tx.write('/r.csv', 'a,b\n1,2\n3,4\n');
      });
      const reopened = await Pond.open(p);
      const n = await reopened.sql(`SELECT count(*) AS n FROM '/s.series'`);
      expect(Number(n.getChild('n')?.get(0)), p).toBe(20_010);
      const csv = await reopened.sql(`SELECT sum(a) AS s FROM 'csv:///r.csv'`);
      expect(Number(csv.getChild('s')?.get(0)), p).toBe(4);
      expect((await reopened.list('/*')).map((e) => e.path)).toEqual(['/r.csv', '/s.series']);
      const listed = await cli(p, 'list', '/*');
      expect(listed.code, `${p}: ${listed.stderr}`).toBe(0);
    }
  });

  it('a path with a %XX sequence is refused, not silently read as another directory', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'a%20b'));
    const p = join(base, 'a%20b', 'pond');
    expect(await codeOf(Pond.create(p))).toBe('INVALID_ARGUMENT');
    expect(await readdir(join(base, 'a%20b'))).toEqual([]);
    expect(await readdir(base)).toEqual(['a%20b']);
  });
});

// SPDX-License-Identifier: Apache-2.0
// Readers take no lock, so `pond maintain` must not delete what a reader that loaded an
// older version still needs: replaced data files and recent commit files are kept for the
// retention window. A reader and a writer opened before maintenance keep working after it,
// and reader processes running beside repeated maintenance never fail.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { pondOk, pondProcess, readingsSql, tempDir, writeParquet } from '../helpers.js';

async function busyPond(dir: string): Promise<string> {
  const p = join(dir, 'p');
  const pond = await Pond.create(p);
  for (let i = 0; i < 12; i++) {
    const file = join(dir, `v${i}.parquet`);
    await writeParquet(
      file,
      readingsSql(`2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`, 50),
    );
    await pond.transaction(async (tx) => {
      await tx.mkdir('/d', { parents: true });
      await tx.write(`/d/f${i}.txt`, `file ${i}\n`);
      await tx.copyIn(file, '/d/s.series', { entryType: EntryType.TablePhysicalSeries });
    });
  }
  return p;
}

async function readAll(pond: Pond): Promise<string> {
  const entries = await pond.list('/**');
  const texts: string[] = [];
  for (const e of entries) {
    if (e.path.endsWith('.txt')) texts.push(new TextDecoder().decode(await pond.read(e.path)));
  }
  const n = await pond.sql(`SELECT count(*) AS n FROM '/d/s.series'`);
  return `${entries.length} ${texts.join('')} ${n.getChild('n')?.get(0)}`;
}

describe('maintain beside readers', () => {
  it('a reader and a writer opened before maintain --compact keep working after it', async () => {
    const p = await busyPond(await tempDir());
    const reader = await Pond.open(p);
    const writer = await Pond.open(p);
    const before = await readAll(reader);
    await pondOk(p, 'maintain', '--compact');
    expect(await readAll(reader)).toBe(before);
    await writer.transaction((tx) => tx.write('/d/after.txt', 'after\n'));
    expect(await readAll(await Pond.open(p))).toContain('after');
    // With no retention, the replaced files go at once.
    const out = (await pondOk(p, 'maintain', '--retention', '0')).stdout;
    expect(out).toMatch(/^data: .*vacuumed \d+/);
    expect(await readAll(await Pond.open(p))).toContain('after');
  });

  it('reader processes never fail while maintenance and writes repeat', async () => {
    const p = await busyPond(await tempDir());
    let done = false;
    let reads = 0;
    const failures: string[] = [];
    const readers = [0, 1].map(async (k) => {
      while (!done) {
        const args =
          k === 0
            ? ['sql', `SELECT count(*) FROM '/d/s.series'`, '--format', 'csv']
            : ['cat', '/d/f3.txt'];
        const r = await pondProcess(p, args);
        reads += 1;
        if (r.code !== 0) failures.push(r.stderr);
      }
    });
    const pond = await Pond.open(p);
    for (let round = 0; round < 6; round++) {
      await pond.transaction((tx) => tx.write(`/d/r${round}.txt`, `${round}\n`), {
        waitMs: 60_000,
      });
      await pondOk(p, '--wait', '60', 'maintain', '--compact');
    }
    done = true;
    await Promise.all(readers);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    console.log(`maintain beside readers: 6 rounds, ${reads} reader processes, 0 failed`);
  }, 300_000);
});

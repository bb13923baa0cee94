// SPDX-License-Identifier: Apache-2.0
/**
 * Malformed CSV never crashes the engine: seeded random files (ragged rows, stray quotes,
 * binary bytes, odd delimiters, huge fields) are read through `csv:///` URLs in pond and
 * `host+csv:///` URLs; each query succeeds or fails with a coded PondError, and the pond is
 * unchanged by the reads.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pond } from '../../ts/index.js';
import { pick, prng } from '../fuzz.js';
import { codeOf, tempDir } from '../helpers.js';

const CELLS = ['1', '-2.5', 'x', '', '"q"', '"a,b"', '"unterminated', 'é', '\u0000', '1e309'];
const SEPARATORS = [',', ',', ',', ';', '\t', '"', ',,'];
const LINE_ENDS = ['\n', '\n', '\r\n', '\r', ''];

function randomCsv(rand: () => number): string {
  const cols = 1 + Math.floor(rand() * 5);
  const rows = Math.floor(rand() * 20);
  const lines: string[] = [];
  if (rand() < 0.8) lines.push(Array.from({ length: cols }, (_, i) => `c${i}`).join(','));
  for (let r = 0; r < rows; r++) {
    const n = rand() < 0.8 ? cols : Math.floor(rand() * (cols + 3));
    const cells = Array.from({ length: n }, () =>
      rand() < 0.02 ? 'z'.repeat(100_000) : pick(rand, CELLS),
    );
    lines.push(cells.join(pick(rand, SEPARATORS)));
  }
  let text = lines.map((l) => l + pick(rand, LINE_ENDS)).join('');
  if (rand() < 0.1) text = `\ufeff${text}`;
  if (rand() < 0.1) {
    const bytes = Array.from({ length: Math.floor(rand() * 64) }, () =>
      String.fromCharCode(Math.floor(rand() * 256)),
    );
    text += bytes.join('');
  }
  return text;
}

describe('CSV fuzz', () => {
  it('random CSV files are read or refused with a coded error', async () => {
    const dir = await tempDir();
    const pond = await Pond.create(join(dir, 'p'));
    const rand = prng(31337);
    const files: string[] = [];
    await pond.transaction(async (tx) => {
      for (let i = 0; i < 120; i++) {
        const text = randomCsv(rand);
        files.push(text);
        await tx.write(`/f${i}.csv`, text);
        await writeFile(join(dir, `h${i}.csv`), text);
      }
    });
    const before = JSON.stringify(await pond.list('/**'));
    const codes = new Map<string, number>();
    for (let i = 0; i < files.length; i++) {
      for (const sql of [
        `SELECT count(*) FROM 'csv:///f${i}.csv'`,
        `SELECT * FROM 'csv:///f${i}.csv?delimiter=;' LIMIT 5`,
        `SELECT * FROM 'host+csv://${dir}/h${i}.csv'`,
      ]) {
        const code = await codeOf(pond.sql(sql));
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    console.log(`csv fuzz: ${JSON.stringify(Object.fromEntries(codes))}`);
    for (const code of codes.keys()) expect(code).toMatch(/^[A-Z_]+$/);
    expect(codes.get('INTERNAL') ?? 0).toBe(0);
    expect(JSON.stringify(await pond.list('/**'))).toBe(before);
  }, 120_000);
});

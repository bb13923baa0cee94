// SPDX-License-Identifier: Apache-2.0
/**
 * Statements that used to take the process down or never finish: deep expressions, many-way
 * joins, runaway queries under a timeout, and a seeded fuzz of SQL text. Every failure must
 * be a coded PondError, and the process must live on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond, type PondError } from '../../ts/index.js';
import { prng } from '../fuzz.js';
import { codeOf, pond, pondProcess, readingsSql, tempDir, writeParquet } from '../helpers.js';

const deep = (terms: number) => `SELECT ${Array.from({ length: terms }, () => '1').join('+')} AS x`;

async function smallPond(): Promise<{ pond: Pond; dir: string }> {
  const dir = await tempDir();
  const pond = await Pond.create(join(dir, 'p'));
  const file = join(dir, 'a.parquet');
  await writeParquet(file, readingsSql('2024-01-01T00:00:00Z', 10));
  await pond.transaction(async (tx) => {
    await tx.copyIn(file, '/a.series', { entryType: EntryType.TablePhysicalSeries });
  });
  return { pond, dir };
}

describe('SQL limits', () => {
  it('a 2,000-term expression is a clean SQL error in the library and the CLI', async () => {
    const { pond, dir } = await smallPond();
    expect(await codeOf(pond.sql(deep(2000)))).toBe('SQL');
    expect(await codeOf(pond.sql(deep(200_000)))).toBe('SQL');
    // Still alive, and a modest chain still works.
    const t = await pond.sql(deep(300));
    expect(Number(t.getChild('x')?.get(0))).toBe(300);
    const cli = await pondProcess(join(dir, 'p'), ['sql', deep(2000)]);
    expect(cli.code).toBeGreaterThan(0);
    expect(cli.code).toBeLessThan(128);
    expect(cli.stderr).toContain('[SQL]');
  });

  it('a derived table holding a deep query fails to read with SQL, not a crash', async () => {
    const { pond } = await smallPond();
    await pond
      .transaction(async (tx) => {
        await tx.mknod(
          '/deep',
          'sql-derived-table',
          `patterns:\n  s: /a.series\nquery: "${deep(3000).replace('AS x', 'AS x FROM s')}"\n`,
        );
      })
      .catch((err: unknown) => {
        // Refusing it at mknod is just as good.
        expect((err as PondError).code).toBe('SQL');
      });
    const entries = await pond.list('/deep');
    if (entries.length > 0) expect(await codeOf(pond.sql(`SELECT * FROM '/deep'`))).toBe('SQL');
  });

  it('a 60-way join is refused instead of planning forever', async () => {
    const { pond } = await smallPond();
    const from = Array.from({ length: 60 }, (_, i) => `'/a.series' t${i}`).join(', ');
    const where = Array.from({ length: 59 }, (_, i) => `t${i}.n = t${i + 1}.n`).join(' AND ');
    expect(await codeOf(pond.sql(`SELECT count(*) FROM ${from} WHERE ${where}`))).toBe('SQL');
  });

  it('a statement past its timeout is cancelled with TIMEOUT and the pond stays usable', async () => {
    const { pond: lib } = await smallPond();
    // Hours of work on any machine: only the timeout can end it.
    const runaway = 'SELECT count(*) FROM generate_series(1, 100000000000) a';
    expect(await codeOf(lib.sql(runaway, { timeoutMs: 200 }))).toBe('TIMEOUT');
    const t = await lib.sql(`SELECT count(*) AS n FROM '/a.series'`, { timeoutMs: 600_000 });
    expect(Number(t.getChild('n')?.get(0))).toBe(10);
    const cli = await pond(undefined, 'sql', '--timeout', '0.2', runaway);
    expect(cli.code).toBe(8);
    expect(cli.stderr).toMatch(/^Error \[TIMEOUT\]/);
  });
});

describe('SQL fuzz', () => {
  const FRAGMENTS = [
    'SELECT',
    '*',
    'FROM',
    "'/a.series'",
    'WHERE',
    'n',
    '=',
    '1',
    '(',
    ')',
    '+',
    '-',
    '/',
    'AND',
    'OR',
    'NOT',
    'CASE',
    'WHEN',
    'THEN',
    'END',
    ',',
    'GROUP BY',
    'ORDER BY',
    'LIMIT',
    "'x'",
    '"n"',
    'NULL',
    'JOIN',
    'ON',
    'UNION ALL',
    'count(*)',
    'sum(value)',
    'avg(',
    '::',
    'CAST(',
    'AS',
    'INT',
    'timestamp',
    "'/missing'",
    "'csv:///a.series'",
    "'host+csv:///x'",
    '\u00e9',
    '\u0000',
    ';',
    'DROP TABLE x',
    'INSERT INTO',
    'CREATE',
    '--',
    '/*',
    '[',
    ']',
    "'",
    '"',
    'generate_series(1, 3)',
    'unnest([1,2])',
    'EXPLAIN',
    'WITH q AS (SELECT 1)',
  ];

  it('random statements never crash: each succeeds or fails with a coded PondError', async () => {
    const { pond } = await smallPond();
    const rand = prng(20261202);
    const codes = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const n = 1 + Math.floor(rand() * 14);
      const parts = Array.from(
        { length: n },
        () => FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)],
      );
      if (rand() < 0.1) parts.push('+1'.repeat(Math.floor(rand() * 3000)));
      if (rand() < 0.1) parts.unshift('('.repeat(Math.floor(rand() * 200)));
      const sql = parts.join(rand() < 0.5 ? ' ' : '');
      const code = await codeOf(pond.sql(sql, { timeoutMs: 30_000 }));
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect([...codes.keys()].every((c) => c === 'OK' || /^[A-Z_]+$/.test(c))).toBe(true);
    expect(codes.get('INTERNAL') ?? 0).toBe(0);
    const after = await pond.sql(`SELECT count(*) AS n FROM '/a.series'`);
    expect(Number(after.getChild('n')?.get(0))).toBe(10);
  });
});

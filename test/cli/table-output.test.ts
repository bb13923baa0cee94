// SPDX-License-Identifier: Apache-2.0
/**
 * `--format table` rendered while streaming: identical to the engine's own table for
 * results that fit, at most `--max-rows` rows on a terminal, bounded memory when piped.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../ts/cli/main.js';
import { ryu } from '../../ts/cli/output-cells.js';
import { renderTable } from '../../ts/cli/output-table.js';
import { explain, query } from '../../ts/native/engine.js';
import { decode } from '../../ts/native/ipc.js';
import { BIN } from '../helpers.js';

/** `pond ARGS` in-process with no pond, stdout a terminal (or not). */
async function pondOn(tty: boolean, ...args: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const env = { ...process.env };
  delete env.POND;
  const code = await run(args, { stdout, stderr: new PassThrough(), env, cwd: process.cwd() });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

async function engineTable(sql: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of query(sql, {}, { format: 'table' })) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function streamedTable(sql: string, maxRows = 0): Promise<string> {
  const text = await explain(sql, {});
  const planFields = text
    .slice(0, text.indexOf('\nPlan:'))
    .split('\n')
    .slice(1)
    .map((l) => l.slice(2));
  const batches = (async function* () {
    for await (const chunk of query(sql, {}, { format: 'ipc' })) yield* decode(chunk).batches;
  })();
  let out = '';
  for await (const part of renderTable(batches, { maxRows, planFields })) out += part;
  return out;
}

const TYPES = `SELECT * FROM (VALUES
  (1, 1.0, 'a', true, arrow_cast(1704067200123, 'Timestamp(Millisecond, Some("UTC"))'),
   to_timestamp('2024-01-01T10:20:30.000456'), DATE '2024-02-29', CAST(1.5 AS DECIMAL(10, 2)),
   make_array(1, 2, 3), named_struct('a', 1, 'b', 'x'), arrow_cast(0.1, 'Float32'),
   arrow_cast('ab', 'Binary'), arrow_cast(CAST(-3 AS BIGINT), 'Int8')),
  (-20, 1e20, 'héllo wörld', false, arrow_cast(0, 'Timestamp(Millisecond, Some("UTC"))'),
   to_timestamp('1999-12-31T23:59:59'), DATE '1970-01-01', CAST(-0.05 AS DECIMAL(10, 2)),
   make_array(4), named_struct('a', 2, 'b', 'yy'), arrow_cast(16777216, 'Float32'),
   arrow_cast('', 'Binary'), arrow_cast(CAST(7 AS BIGINT), 'Int8')),
  (NULL, 1e-7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 123456.789, '', true, arrow_cast(1, 'Timestamp(Millisecond, Some("UTC"))'),
   to_timestamp('2024-06-01T00:00:00.5'), DATE '2024-06-01', CAST(100 AS DECIMAL(10, 2)),
   make_array(), named_struct('a', NULL, 'b', 'z'), arrow_cast(-2.5, 'Float32'),
   arrow_cast('z', 'Binary'), arrow_cast(CAST(0 AS BIGINT), 'Int8')),
  (4, -0.0, 'x', false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, 12345678901234567.0, 'y', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 1e16, 'z', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (7, 0.0001, 'w', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) AS t(i, f, s, b, ts, naive, d, dec, l, st, f32, bin, i8)`;

describe('--format table', () => {
  it('prints what the engine prints, type by type', async () => {
    expect(await streamedTable(TYPES)).toBe(await engineTable(TYPES));
    const none = 'SELECT 1 AS x WHERE false';
    expect(await streamedTable(none)).toBe(await engineTable(none));
    const many =
      'SELECT value, value * 1.5 AS f, CAST(value AS VARCHAR) AS s FROM generate_series(1, 900)';
    expect(await streamedTable(many)).toBe(await engineTable(many));
  });

  it('floats as ryu writes them', () => {
    expect(
      [1, 1.5, 1e20, 1e16, 1e15, 1e-5, 1e-6, -0, 0, Number.NaN, -Infinity].map((v) => ryu(v)),
    ).toEqual([
      '1.0',
      '1.5',
      '1e20',
      '1e16',
      '1000000000000000.0',
      '0.00001',
      '1e-6',
      '-0.0',
      '0.0',
      'NaN',
      '-inf',
    ]);
    expect(
      [Math.fround(0.1), 16777216, 1e13, Math.fround(1e-6), Math.fround(1e-7)].map((v) =>
        ryu(v, true),
      ),
    ).toEqual(['0.1', '16777216.0', '1e13', '0.000001', '1e-7']);
  });

  it('on a terminal: the first 40 rows, then how many more', async () => {
    const sql = 'SELECT value FROM generate_series(1, 100000)';
    const out = await pondOn(true, 'sql', sql);
    expect(out.code).toBe(0);
    const rows = out.stdout.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows).toHaveLength(40);
    expect(rows[39]).toMatch(/^\| 40 +\|$/);
    expect(out.stdout).toContain('... 99960 more rows');
    expect(out.stdout.endsWith('Summary: 100000 total rows\n')).toBe(true);

    const five = await pondOn(true, 'sql', sql, '--max-rows', '5');
    expect(five.stdout.split('\n').filter((l) => /^\| \d/.test(l))).toHaveLength(5);
    expect(five.stdout).toContain('... 99995 more rows');
    const all = await pondOn(
      true,
      'sql',
      'SELECT value FROM generate_series(1, 2000)',
      '--max-rows',
      '0',
    );
    expect(all.stdout.split('\n').filter((l) => /^\| \d/.test(l))).toHaveLength(2000);
    expect(all.stdout).not.toContain('more rows');
    const few = await pondOn(true, 'sql', 'SELECT value FROM generate_series(1, 3)');
    expect(few.stdout).not.toContain('more rows');
    expect(few.stdout).toContain('Summary: 3 total rows');
  });

  it('piped: every row, widths from the first rows', async () => {
    const out = await pondOn(
      false,
      'sql',
      'SELECT value FROM generate_series(1, 5000)',
      '--format',
      'table',
    );
    const rows = out.stdout.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toBe('| 5000  |');
    expect(out.stdout).not.toContain('more rows');
    // Widths fit the first 1,000 rows; a wider later cell widens only its own line.
    const wide = await pondOn(
      false,
      'sql',
      "SELECT CASE WHEN value > 1000 THEN 'a longer cell' ELSE 'x' END AS s FROM generate_series(1, 1001)",
      '--format',
      'table',
    );
    const lines = wide.stdout.split('\n');
    expect(lines[0]).toBe('+------+');
    expect(lines).toContain('| x    |');
    expect(lines).toContain('| a longer cell |');
    const limited = await pondOn(
      false,
      'sql',
      'SELECT 1 AS x FROM generate_series(1, 10)',
      '--format',
      'table',
      '--max-rows',
      '2',
    );
    expect(limited.stdout).toContain('... 8 more rows');
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'in a pseudo-terminal, auto is a short table',
    async () => {
      const command = `${process.execPath} ${BIN} sql 'SELECT value FROM generate_series(1, 1000000)'`;
      const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, POND: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stdin.end();
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(out).toContain('... 999960 more rows');
      expect(out).toContain('Summary: 1000000 total rows');
    },
  );
});

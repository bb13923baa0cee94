// SPDX-License-Identifier: Apache-2.0
/**
 * `excelhtml`: HydroVu's Excel HTML export, the `isi-report` table's header and data rows,
 * `Date Time` as text and every other column Float64; documents without the report or its
 * header are INVALID_DATA.
 */
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers.js';
import { fixture, freshPond, query } from './formats-fixtures.js';

describe('excelhtml', () => {
  it('reads the report: header cells as columns, data rows padded, text as NULL', async () => {
    const pond = await freshPond();
    const got = await query(
      pond,
      `SELECT * FROM 'host+excelhtml://${fixture('excelhtml/hydrovu.xls')}'`,
    );
    expect(got.columns).toEqual([
      'Date Time',
      'Depth (m) (123456)',
      'Temperature (°C)',
      'Specific Conductivity (µS/cm)',
    ]);
    expect(got.types).toEqual(['Utf8', 'Float64', 'Float64', 'Float64']);
    expect(got.rows.map((r) => Object.values(r))).toEqual([
      ['2024-01-01 08:00:00', 12.5, 7.25, 301],
      ['2024-01-01 08:15:00', 12.75, null, null],
      ['2024-01-01 08:30:00', 13, null, null],
      ['2024-01-01 08:45:00', 13.25, 7.5, 305.5],
    ]);
  });

  it('numbers a column named twice', async () => {
    const pond = await freshPond();
    const got = await query(
      pond,
      `SELECT * FROM 'host+excelhtml://${fixture('excelhtml/duplicates.xls')}'`,
    );
    expect(got.columns).toEqual(['Date Time', 'Temperature (C)', 'Temperature (C) (2)']);
    expect(got.rows.map((r) => Object.values(r))).toEqual([['2024-01-01 00:00:00', 1, 2]]);
  });

  it.each([['noreport.xls'], ['noheader.xls']])(
    'refuses %s with INVALID_DATA naming the file',
    async (name) => {
      const pond = await freshPond();
      const url = `host+excelhtml://${fixture(`excelhtml/${name}`)}`;
      await expect(pond.sql(`SELECT * FROM '${url}'`)).rejects.toMatchObject({
        code: 'INVALID_DATA',
        path: url,
      });
    },
  );

  it('reads a gzip-compressed export from the pond', async () => {
    const pond = await freshPond();
    const { gzipSync } = await import('node:zlib');
    const { readFile } = await import('node:fs/promises');
    const bytes = gzipSync(await readFile(fixture('excelhtml/hydrovu.xls')));
    await pond.transaction((tx) => tx.write('/x.htm.gz', bytes));
    const got = await query(
      pond,
      `SELECT count(*) AS n, max("Depth (m) (123456)") AS d FROM 'excelhtml+gzip:///x.htm.gz'`,
    );
    expect(got.rows).toEqual([{ n: 4, d: 13.25 }]);
    expect(await codeOf(pond.sql(`SELECT * FROM 'excelhtml:///x.htm.gz'`))).toBe('INVALID_DATA');
  });
});

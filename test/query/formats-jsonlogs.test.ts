// SPDX-License-Identifier: Apache-2.0
/**
 * `jsonlogs`: NDJSON (journalctl --output=json) read with every top-level key a Utf8
 * column, sorted; values as the original writes them; non-objects skipped and counted.
 */
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers.js';
import { fixture, freshPond, query } from './formats-fixtures.js';

describe('jsonlogs', () => {
  it('reads every key as text: strings, numbers, booleans, arrays and objects as JSON', async () => {
    const pond = await freshPond();
    const got = await query(
      pond,
      `SELECT * FROM 'host+jsonlogs://${fixture('jsonlogs/journal.ndjson')}' ORDER BY "__REALTIME_TIMESTAMP"`,
    );
    expect(got.columns).toEqual([
      'CODE_LINE',
      'FIELDS',
      'MESSAGE',
      'NOTE',
      'OK',
      'PRIORITY',
      'RATE',
      '_PID',
      '_SYSTEMD_UNIT',
      '__REALTIME_TIMESTAMP',
    ]);
    expect(new Set(got.types)).toEqual(new Set(['Utf8']));
    expect(got.rows.map((r) => [r.MESSAGE, r.CODE_LINE, r.RATE, r.OK, r.NOTE, r.FIELDS])).toEqual([
      ['pump started', null, null, null, null, null],
      ['[72,105]', '42', '1.5', null, null, null],
      ['level ok', null, null, 'true', null, '{"a":[1,2]}'],
    ]);
    expect(got.warnings).toEqual([]);
  });

  it('skips lines that are not JSON objects, and the last of duplicate keys wins', async () => {
    const pond = await freshPond();
    const url = `host+jsonlogs://${fixture('jsonlogs/bad.ndjson')}`;
    const got = await query(pond, `SELECT "K", "MESSAGE", "PRIORITY" FROM '${url}'`);
    expect(got.rows).toEqual([
      { K: null, MESSAGE: 'pump started', PRIORITY: '6' },
      { K: null, MESSAGE: 'dup 1', PRIORITY: null },
      { K: 'last', MESSAGE: null, PRIORITY: null },
    ]);
    expect(got.warnings).toEqual([
      `jsonlogs: ${url}: 3 lines skipped (not a JSON object; first at line 2)`,
    ]);
    expect(await codeOf(pond.sql(`SELECT * FROM '${url}?strict=true'`))).toBe('INVALID_DATA');
  });

  it('counts lines that are empty objects', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { tempDir } = await import('../helpers.js');
    const file = `${await tempDir()}/empty-objects.ndjson`;
    await writeFile(file, '{}\n{}\n\n{}\n');
    const pond = await freshPond();
    const got = await query(pond, `SELECT count(*) AS n FROM 'host+jsonlogs://${file}'`);
    expect(got.rows).toEqual([{ n: 3 }]);
  });

  it('reads an empty file as no columns and no rows', async () => {
    const pond = await freshPond();
    const got = await query(
      pond,
      `SELECT * FROM 'host+jsonlogs://${fixture('oteljson/empty.ndjson')}'`,
    );
    expect(got.columns).toEqual([]);
    expect(got.rows).toEqual([]);
  });
});

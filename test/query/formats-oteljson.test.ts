// SPDX-License-Identifier: Apache-2.0
/**
 * `oteljson`: OTLP metrics JSON lines read as one row per timestamp (ascending) and one
 * Float64 column per metric name (sorted), gauges and sums, attributes discarded, from
 * host files and pond files alike, with bad lines skipped and counted.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers.js';
import { fixture, freshPond, query } from './formats-fixtures.js';

const PUMP = [
  { timestamp: '2024-01-01T08:00:00.000Z', 'pump.amps': 3.2, 'pump.starts': 4, 'well.level': null },
  {
    timestamp: '2024-01-01T08:01:00.000Z',
    'pump.amps': 3.4,
    'pump.starts': null,
    'well.level': 12.5,
  },
  // Two points of pump.amps at 08:02: the last read wins.
  {
    timestamp: '2024-01-01T08:02:00.000Z',
    'pump.amps': 3.3,
    'pump.starts': null,
    'well.level': null,
  },
  // asInt written as a string, timeUnixNano as a number; a point without a value adds nothing.
  {
    timestamp: '2024-01-01T08:03:00.000Z',
    'pump.amps': null,
    'pump.starts': 5,
    'well.level': 12.25,
  },
];

describe('oteljson', () => {
  it('reads gauges and sums as one Float64 column per metric, one row per time', async () => {
    const pond = await freshPond();
    const got = await query(
      pond,
      `SELECT * FROM 'host+oteljson://${fixture('oteljson/pump.ndjson')}'`,
    );
    expect(got.columns).toEqual(['timestamp', 'pump.amps', 'pump.starts', 'well.level']);
    // Timestamp(ns, UTC) in the engine; the library receives every timestamp as µs UTC.
    expect(got.types).toEqual(['Timestamp<MICROSECOND, UTC>', 'Float64', 'Float64', 'Float64']);
    expect(got.rows).toEqual(PUMP);
    expect(got.warnings).toEqual([]);
  });

  it('keeps every row when only some columns are read', async () => {
    const pond = await freshPond();
    const url = `host+oteljson://${fixture('oteljson/pump.ndjson')}`;
    const got = await query(pond, `SELECT count(*) AS n, count("well.level") AS w FROM '${url}'`);
    expect(got.rows).toEqual([{ n: 4, w: 2 }]);
    const one = await query(pond, `SELECT "pump.starts" AS s, timestamp FROM '${url}' ORDER BY 2`);
    expect(one.rows.map((r) => r.s)).toEqual([4, null, null, 5]);
  });

  it('reads the same table from a pond file, and caches the parse', async () => {
    const pond = await freshPond();
    const bytes = await readFile(fixture('oteljson/pump.ndjson'));
    await pond.transaction(async (tx) => {
      await tx.mkdir('/m');
      await tx.write('/m/pump.json', bytes);
    });
    const sql = `SELECT * FROM 'oteljson:///m/pump.json' ORDER BY timestamp`;
    expect((await query(pond, sql)).rows).toEqual(PUMP);
    expect((await query(pond, sql)).rows).toEqual(PUMP);
  });

  it('orders rows by time when the file does not, merging columns of one time', async () => {
    const pond = await freshPond();
    const got = await query(
      pond,
      `SELECT * FROM 'host+oteljson://${fixture('oteljson/unordered.ndjson')}'`,
    );
    expect(got.columns).toEqual(['timestamp', 'a', 'b']);
    expect(got.rows).toEqual([
      { timestamp: '2024-01-01T08:00:00.000Z', a: 1, b: 0.5 },
      { timestamp: '2024-01-01T08:01:00.000Z', a: 1.5, b: null },
      { timestamp: '2024-01-01T08:02:00.000Z', a: 9, b: 2 },
    ]);
  });

  it('skips lines that do not parse, with one warning counting them', async () => {
    const pond = await freshPond();
    const url = `host+oteljson://${fixture('oteljson/bad.ndjson')}`;
    const got = await query(pond, `SELECT x FROM '${url}' ORDER BY timestamp`);
    expect(got.rows).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    expect(got.warnings).toEqual([
      `oteljson: ${url}: 3 lines skipped (not an OTLP metrics request in JSON; first at line 2)`,
    ]);
    expect(await codeOf(pond.sql(`SELECT * FROM '${url}?strict=true'`))).toBe('INVALID_DATA');
  });

  it('reads blank input as a table of only the time column', async () => {
    const pond = await freshPond();
    const got = await query(
      pond,
      `SELECT * FROM 'host+oteljson://${fixture('oteljson/empty.ndjson')}'`,
    );
    expect(got.columns).toEqual(['timestamp']);
    expect(got.rows).toEqual([]);
  });

  it('unions the metrics of several files by name', async () => {
    const pond = await freshPond();
    const dir = fixture('oteljson');
    // pump (4 times) and unordered (3 times): each file's rows, unioned.
    const got = await query(
      pond,
      `SELECT count(*) AS n FROM 'host+oteljson://${dir}/[pu]*.ndjson'`,
    );
    expect(got.rows).toEqual([{ n: 7 }]);
    const cols = await query(pond, `SELECT * FROM 'host+oteljson://${dir}/[pu]*.ndjson' LIMIT 0`);
    expect(cols.columns).toEqual(['timestamp', 'a', 'b', 'pump.amps', 'pump.starts', 'well.level']);
  });
});

// SPDX-License-Identifier: Apache-2.0
// A derived node read directly keeps its own query's ORDER BY and LIMIT: the rows of
// `SELECT * FROM '/views/v'`, `pond cat` and the library come out as the node's query
// orders them, for every kind of derived node and source layout.
import { beforeEach, describe, expect, it } from 'vitest';
import { Pond } from '../../ts/index.js';
import { copyThreeDays, hostConfig, pondAndHost, pondOk } from '../helpers.js';

let p: string;
let host: string;

// Each case: the node's factory, its query, and the statement that gives the expected rows.
const DAY = `date_trunc('day', timestamp)`;
const CASES: [string, string, string][] = [
  [
    'sql-derived-table',
    `SELECT ${DAY} AS day, count(*) AS n FROM source GROUP BY 1 ORDER BY day`,
    `SELECT ${DAY} AS day, count(*) AS n FROM '/s.series' GROUP BY 1 ORDER BY day`,
  ],
  [
    'sql-derived-table',
    `SELECT ${DAY} AS day, max(n) AS top FROM source GROUP BY 1 ORDER BY day DESC`,
    `SELECT ${DAY} AS day, max(n) AS top FROM '/s.series' GROUP BY 1 ORDER BY day DESC`,
  ],
  [
    'sql-derived-series',
    'SELECT timestamp, n FROM source ORDER BY n DESC',
    `SELECT timestamp, n FROM '/s.series' ORDER BY n DESC`,
  ],
  [
    'sql-derived-series',
    'SELECT timestamp, n FROM source ORDER BY timestamp DESC LIMIT 7',
    `SELECT timestamp, n FROM '/s.series' ORDER BY timestamp DESC LIMIT 7`,
  ],
  [
    'sql-derived-table',
    `SELECT tag, sum(n) AS total FROM source GROUP BY tag ORDER BY total, tag LIMIT 1`,
    `SELECT tag, sum(n) AS total FROM '/s.series' GROUP BY tag ORDER BY total, tag LIMIT 1`,
  ],
];

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
  await copyThreeDays(p, host, '/s.series');
  await pondOk(p, 'mkdir', '/views');
});

const csv = async (sql: string): Promise<string> =>
  (await pondOk(p, 'sql', sql, '--format', 'csv')).stdout;

describe('a derived node read directly', () => {
  it.each(CASES.map((c, i) => [i, ...c] as const))(
    'keeps the order of v%i (%s: %s)',
    async (i, factory, query, expected) => {
      const yaml = `patterns:\n  source: /s.series\nquery: ${JSON.stringify(query)}\n`;
      await pondOk(p, 'mknod', factory, `/views/v${i}`, await hostConfig(host, `v${i}`, yaml));
      const want = await csv(expected);
      expect(want.split('\n').length).toBeGreaterThan(2);
      expect(await csv(`SELECT * FROM '/views/v${i}'`)).toBe(want);
      expect((await pondOk(p, 'cat', `/views/v${i}`, '--format', 'csv')).stdout).toBe(want);
      const pond = await Pond.open(p);
      const rows = (await pond.sql(`SELECT * FROM '/views/v${i}'`))
        .toArray()
        .map((r) => r.toJSON());
      const expectedRows = (await pond.sql(expected)).toArray().map((r) => r.toJSON());
      expect(rows).toEqual(expectedRows);
    },
  );
});

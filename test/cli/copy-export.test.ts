// SPDX-License-Identifier: Apache-2.0
/** Copying tables and series out: one Parquet file of the rows a query of the path sees. */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { copyThreeDays, pondAndHost, pondOk, readingsSql, writeParquet } from '../helpers.js';

let p: string;
let host: string;

async function count(sql: string, ...pre: string[]): Promise<number> {
  const out = await pondOk(p, ...pre, 'sql', sql, '--format', 'csv');
  return Number(out.stdout.trim().split('\n')[1]);
}

/** Rows in the exported host Parquet file at `rel` below the host dir. */
function exported(rel: string): Promise<number> {
  return count(`SELECT count(*) FROM 'host+table://${join(host, rel)}'`);
}

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
  await copyThreeDays(p, host, '/s.series');
  for (const i of [0, 1]) {
    const file = join(host, `t${i}.parquet`);
    await writeParquet(file, readingsSql('2024-02-01T00:00:00Z', 50 + i * 10));
    await pondOk(p, 'copy', `host+table://${file}`, '/t.table');
  }
  const cfg = [
    'start: 2024-01-01T00:00:00Z',
    'end: 2024-01-01T02:00:00Z',
    'interval: 1m',
    'points:',
    '  - name: temp',
    '    components: [{type: sine, amplitude: 2, period: 1h, offset: 10}]',
    '',
  ].join('\n');
  await writeFile(join(host, 'syn.yaml'), cfg);
  await pondOk(p, 'mknod', 'synthetic-timeseries', '/syn', join(host, 'syn.yaml'));
  await writeFile(
    join(host, 'derived.yaml'),
    'patterns:\n  source: "/s.series"\nquery: SELECT * FROM source WHERE n % 3 = 0\n',
  );
  await pondOk(p, 'mknod', 'sql-derived-series', '/derived', join(host, 'derived.yaml'));
});

const NODES = ['/s.series', '/t.table', '/syn', '/derived'];

describe('copying tables and series out', () => {
  it('pond copy writes every row a query sees', async () => {
    await mkdir(join(host, 'out'));
    for (const path of NODES) {
      await pondOk(p, 'copy', path, `host://${join(host, 'out')}`);
      const want = await count(`SELECT count(*) FROM '${path}'`);
      expect(want).toBeGreaterThan(0);
      expect({ path, rows: await exported(join('out', path)) }).toEqual({ path, rows: want });
    }
    expect(await count(`SELECT count(*) FROM '/s.series'`)).toBe(300);
  });

  it('the copy-out factory writes every row a query sees', async () => {
    await writeFile(join(host, 'mirror.yaml'), `pattern: "/*"\ndirectory: ${join(host, 'm')}\n`);
    await pondOk(p, 'mknod', 'copy-out', '/mirror', join(host, 'mirror.yaml'));
    await pondOk(p, 'run', '/mirror');
    for (const path of NODES) {
      const want = await count(`SELECT count(*) FROM '${path}'`);
      expect({ path, rows: await exported(join('m', path)) }).toEqual({ path, rows: want });
    }
  });
});

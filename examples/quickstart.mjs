// SPDX-License-Identifier: Apache-2.0
// A Node program embedding pond: create a pond, store raw CSV readings in a transaction,
// query them with SQL through a format URL, and list what is there.
// Run: npm run build && node examples/quickstart.mjs [DIR]
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pond } from '../dist/index.js';

const dir = process.argv[2] ?? join(await mkdtemp(join(tmpdir(), 'pond-example-')), 'pond');
const pond = await Pond.create(dir, { birthplace: 'example' });

await pond.transaction(async (tx) => {
  await tx.mkdir('/wells/north', { parents: true });
  await tx.write('/wells/north/levels.csv', 'hour,level_m\n0,12.1\n1,12.4\n2,12.2\n');
});

const table = await pond.sql(
  `SELECT count(*) AS readings, round(avg(level_m), 2) AS mean_level FROM 'csv:///wells/north/levels.csv'`,
);
const row = table.get(0);
console.log(`readings=${row?.readings} mean_level=${row?.mean_level}`);
for (const entry of await pond.list())
  console.log(`${entry.entryType.padEnd(22)} v${entry.version} ${entry.path}`);

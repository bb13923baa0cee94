// SPDX-License-Identifier: Apache-2.0
// Incremental rollup benchmark (issue: time-series factories): a temporal-reduce (1h and 6h,
// avg/min/max) over a V x R series; the first read computes and seals every bucket, then one
// more version (1% more data) arrives and the second read recomputes only open buckets.
// Run: npm run build && node bench/rollup.mjs [VERSIONS] [ROWS_PER_VERSION]   (default 100 100000)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryType, Pond } from '../dist/index.js';
import { seriesFiles } from './data.mjs';

const VERSIONS = Number(process.argv[2] ?? 100);
const ROWS = Number(process.argv[3] ?? 100_000);
const files = await seriesFiles(VERSIONS + 1, ROWS);
const dir = await mkdtemp(join(tmpdir(), 'pond-bench-rollup-'));
const time = async (fn) => {
  const t = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, r };
};
try {
  const pond = await Pond.create(join(dir, 'pond'));
  await pond.transaction(async (tx) => {
    await tx.mkdir('/in');
    for (const f of files.slice(0, VERSIONS))
      await tx.copyIn(f, '/in/s.series', { entryType: EntryType.TablePhysicalSeries });
    await tx.mknod(
      '/reduce',
      'temporal-reduce',
      'in_pattern: "/in/*.series"\nout_pattern: "$0"\nresolutions: [1h, 6h]\nallowed_lateness: 1h\naggregations: [{type: avg}, {type: min, columns: [value]}, {type: max, columns: [value]}]\n',
    );
  });
  const sql = `SELECT count(*) AS buckets, avg("value.avg") AS a FROM '/reduce/s/res=1h.series'`;
  const direct = await time(() =>
    pond.sql(
      `SELECT count(*) FROM (SELECT date_bin(INTERVAL '1 hour', timestamp, TIMESTAMP '1970-01-01T00:00:00Z'), avg(value), min(value), max(value) FROM '/in/s.series' GROUP BY 1)`,
    ),
  );
  const first = await time(() => pond.sql(sql));
  const unchanged = await time(() => pond.sql(sql));
  await pond.transaction((tx) =>
    tx.copyIn(files[VERSIONS], '/in/s.series', { entryType: EntryType.TablePhysicalSeries }),
  );
  const second = await time(() => pond.sql(sql));
  const b1 = first.r.getChild('buckets').get(0);
  const b2 = second.r.getChild('buckets').get(0);
  console.log(`rollup over ${VERSIONS} x ${ROWS} rows, 1h buckets:`);
  console.log(
    `  same aggregate without rollup     ${direct.ms.toFixed(0).padStart(6)} ms (baseline: full GROUP BY)`,
  );
  console.log(
    `  first read (compute + seal)       ${first.ms.toFixed(0).padStart(6)} ms  ${b1} buckets`,
  );
  console.log(
    `  re-read, nothing new              ${unchanged.ms.toFixed(0).padStart(6)} ms  ${((unchanged.ms / first.ms) * 100).toFixed(1)}% of first`,
  );
  console.log(
    `  re-read after +1% (1 version)     ${second.ms.toFixed(0).padStart(6)} ms  ${b2} buckets, ${((second.ms / first.ms) * 100).toFixed(1)}% of first`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

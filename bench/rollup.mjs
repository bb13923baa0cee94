// SPDX-License-Identifier: Apache-2.0
// Incremental rollup benchmark (issue: time-series factories): a temporal-reduce (1h and 6h,
// avg/min/max) over a V x R series; the first read computes and seals every bucket, a re-read
// finds nothing new, then versions arrive one at a time (1% more data each) and each re-read
// recomputes only what they touch. Every run uses a fresh pond; figures are medians over runs
// of each read's time as a share of the same run's first read.
// Run: npm run build && node bench/rollup.mjs [VERSIONS] [ROWS_PER_VERSION] [RUNS] [APPENDS]
//      (default 100 100000 5 3)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryType, Pond } from '../dist/index.js';
import { seriesFiles } from './data.mjs';

const VERSIONS = Number(process.argv[2] ?? 100);
const ROWS = Number(process.argv[3] ?? 100_000);
const RUNS = Number(process.argv[4] ?? 5);
const APPENDS = Number(process.argv[5] ?? 3);
const files = await seriesFiles(VERSIONS + APPENDS, ROWS);
const SQL = `SELECT count(*) AS buckets, avg("value.avg") AS a FROM '/reduce/s/res=1h.series'`;
const DIRECT = `SELECT count(*) FROM (SELECT date_bin(INTERVAL '1 hour', timestamp, TIMESTAMP '1970-01-01T00:00:00Z'), avg(value), min(value), max(value) FROM '/in/s.series' GROUP BY 1)`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const t = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, r };
};
const append = (pond, file) =>
  pond.transaction((tx) =>
    tx.copyIn(file, '/in/s.series', { entryType: EntryType.TablePhysicalSeries }),
  );

/** One fresh pond: the read times in ms and the bucket counts. */
async function run() {
  const dir = await mkdtemp(join(tmpdir(), 'pond-bench-rollup-'));
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
    const direct = await time(() => pond.sql(DIRECT));
    const first = await time(() => pond.sql(SQL));
    const unchanged = await time(() => pond.sql(SQL));
    const appended = [];
    for (const f of files.slice(VERSIONS, VERSIONS + APPENDS)) {
      await append(pond, f);
      appended.push(await time(() => pond.sql(SQL)));
    }
    const buckets = (r) => r.getChild('buckets').get(0);
    return {
      direct: direct.ms,
      first: first.ms,
      unchanged: unchanged.ms,
      appended: appended.map((a) => a.ms),
      buckets: [buckets(first.r), ...appended.map((a) => buckets(a.r))],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await run());
const ms = (xs) => `${median(xs).toFixed(0).padStart(6)} ms`;
/** Median ms and median share of the same run's first read, with the range of shares. */
const step = (pick) => {
  const times = runs.flatMap(pick);
  const shares = runs.flatMap((r) => pick(r).map((t) => (t / r.first) * 100));
  const range = `(${Math.min(...shares).toFixed(1)}-${Math.max(...shares).toFixed(1)}%)`;
  return `${ms(times)}  ${median(shares).toFixed(1).padStart(5)}% of first ${range.padStart(13)}`;
};
console.log(
  `rollup over ${VERSIONS} x ${ROWS} rows, 1h buckets; medians of ${RUNS} runs (fresh pond each):`,
);
console.log(
  `  same aggregate without rollup     ${ms(runs.map((r) => r.direct))} (baseline: full GROUP BY)`,
);
console.log(
  `  first read (compute + seal)       ${ms(runs.map((r) => r.first))}  ${runs[0].buckets[0]} buckets`,
);
console.log(`  re-read, nothing new              ${step((r) => [r.unchanged])}`);
console.log(
  `  re-read after +1% (1 version)     ${step((r) => r.appended.slice(0, 1))}  ${runs[0].buckets[1]} buckets`,
);
if (APPENDS > 1) {
  console.log(
    `  re-reads after each further +1%   ${step((r) => r.appended.slice(1))}  ${runs[0].buckets.at(-1)} buckets after ${APPENDS}`,
  );
}

// SPDX-License-Identifier: Apache-2.0
// Query benchmarks (issue: tables, series and SQL). Prints medians and ratios, all measured
// in this run:
//   - a full-scan aggregate over V x R rows: pond (Pond.sql) vs DuckDB read_parquet on the
//     same files vs DataFusion's own Parquet listing on those files (no pond planning);
//   - a time-range query touching 1% of the versions vs the full scan;
//   - peak RSS of `pond cat --format csv` streaming every row to /dev/null.
// Run: npm run build && node bench/query.mjs [VERSIONS] [ROWS_PER_VERSION]   (default 100 100000)
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { EntryType, Pond } from '../dist/index.js';
import { query } from '../dist/native/engine.js';
import { DAY_MS, START_MS, seriesFiles } from './data.mjs';

const VERSIONS = Number(process.argv[2] ?? 100);
const ROWS = Number(process.argv[3] ?? 100_000);
const RUNS = 7;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const t = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
}
async function bench(fn) {
  await fn(); // warm-up
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const r = await time(fn);
    times.push(r.ms);
    result = r.result;
  }
  return { ms: median(times), result };
}

const genStart = process.hrtime.bigint();
const files = await seriesFiles(VERSIONS, ROWS);
console.log(
  `data: ${VERSIONS} versions x ${ROWS} rows = ${(VERSIONS * ROWS) / 1e6}M rows (${(Number(process.hrtime.bigint() - genStart) / 1e9).toFixed(1)} s to generate or find)`,
);

const dir = await mkdtemp(join(tmpdir(), 'pond-bench-'));
try {
  const pondDir = join(dir, 'pond');
  const pond = await Pond.create(pondDir);
  const ingest = await time(() =>
    pond.transaction(async (tx) => {
      await tx.mkdir('/bench');
      for (const f of files)
        await tx.copyIn(f, '/bench/s.series', { entryType: EntryType.TablePhysicalSeries });
    }),
  );
  console.log(
    `ingest: ${ingest.ms.toFixed(0)} ms for ${VERSIONS} versions (${((VERSIONS * ROWS) / (ingest.ms / 1000) / 1e6).toFixed(1)}M rows/s)`,
  );

  const agg = 'count(*) AS rows, avg(value) AS avg_value, max(n) AS max_n';
  const full = await bench(() => pond.sql(`SELECT ${agg} FROM '/bench/s.series'`));
  const rawSpec = {
    t: { kind: 'format', label: 'raw', format: 'parquet', files: files.map((path) => ({ path })) },
  };
  // Same work as Pond.sql after planning: run, then decode the IPC result into Arrow.
  const raw = await bench(async () => {
    for await (const chunk of query(`SELECT ${agg} FROM t`, rawSpec, { format: 'ipc' }))
      tableFromIPC(chunk);
  });
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  const list = files.map((f) => `'${f}'`).join(', ');
  const duckdb = await bench(() =>
    conn.runAndReadAll(`SELECT ${agg} FROM read_parquet([${list}])`),
  );

  const day = Math.floor(VERSIONS / 2);
  const lo = new Date(START_MS + day * DAY_MS).toISOString();
  const hi = new Date(START_MS + (day + 1) * DAY_MS - 1).toISOString();
  const rangeSql = `SELECT ${agg} FROM '/bench/s.series' WHERE timestamp BETWEEN '${lo}' AND '${hi}'`;
  const range = await bench(() => pond.sql(rangeSql));
  const rangeRows = range.result.getChild('rows').get(0);

  const fullRows = full.result.getChild('rows').get(0);
  const rps = (ms) => `${((VERSIONS * ROWS) / (ms / 1000) / 1e6).toFixed(0)}M rows/s`;
  console.log('');
  console.log(`full-scan aggregate (${fullRows} rows), median of ${RUNS}:`);
  console.log(`  pond sql            ${full.ms.toFixed(0).padStart(6)} ms  ${rps(full.ms)}`);
  console.log(
    `  raw DataFusion      ${raw.ms.toFixed(0).padStart(6)} ms  ${rps(raw.ms)}   pond/raw    ${(full.ms / raw.ms).toFixed(2)}x`,
  );
  console.log(
    `  DuckDB read_parquet ${duckdb.ms.toFixed(0).padStart(6)} ms  ${rps(duckdb.ms)}   pond/duckdb ${(full.ms / duckdb.ms).toFixed(2)}x`,
  );
  console.log(`time range, 1 of ${VERSIONS} versions (${rangeRows} rows):`);
  console.log(
    `  pond sql            ${range.ms.toFixed(1).padStart(6)} ms   full/range  ${(full.ms / range.ms).toFixed(1)}x faster`,
  );

  const cat = spawnSync(
    process.execPath,
    [
      '--import',
      join(import.meta.dirname, 'rss-report.mjs'),
      join(import.meta.dirname, '..', 'bin', 'pond.js'),
      'cat',
      '/bench/s.series',
      '--format',
      'csv',
    ],
    {
      env: { ...process.env, POND: pondDir },
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 20,
    },
  );
  const kb = Number(/max_rss_kb=(\d+)/.exec(cat.stderr.toString())?.[1] ?? 'NaN');
  console.log(
    `streaming ${fullRows} rows as CSV to /dev/null: exit ${cat.status}, peak RSS ${(kb / 1024).toFixed(0)} MB`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

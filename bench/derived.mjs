// SPDX-License-Identifier: Apache-2.0
// Derived-chain benchmark (issue: dynamic nodes): a 3-level sql-derived-series chain over a
// V x R series, a selective time filter (one version) on the outermost node, against the
// same query on the physical series. Each variant runs in its own process (median of 7
// runs after a warm-up) so peak RSS is per variant.
// Run: npm run build && node bench/derived.mjs [VERSIONS] [ROWS_PER_VERSION]   (default 100 100000)
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryType, Pond } from '../dist/index.js';
import { DAY_MS, START_MS, seriesFiles } from './data.mjs';

const VERSIONS = Number(process.argv[2] ?? 100);
const ROWS = Number(process.argv[3] ?? 100_000);
const files = await seriesFiles(VERSIONS, ROWS);
const dir = await mkdtemp(join(tmpdir(), 'pond-bench-derived-'));
try {
  const pondDir = join(dir, 'pond');
  const pond = await Pond.create(pondDir);
  await pond.transaction(async (tx) => {
    await tx.mkdir('/bench');
    for (const f of files)
      await tx.copyIn(f, '/bench/s.series', { entryType: EntryType.TablePhysicalSeries });
    await tx.mknod(
      '/bench/l1',
      'sql-derived-series',
      'patterns: {source: /bench/s.series}\nquery: SELECT timestamp, value, n FROM source\n',
    );
    await tx.mknod(
      '/bench/l2',
      'sql-derived-series',
      'patterns: {source: /bench/l1}\nquery: SELECT timestamp, value * 2 AS v2, n FROM source\n',
    );
    await tx.mknod(
      '/bench/l3',
      'sql-derived-series',
      'patterns: {source: /bench/l2}\nquery: SELECT timestamp, v2 + 1 AS v3, n FROM source\n',
    );
  });
  const day = Math.floor(VERSIONS / 2);
  const lo = new Date(START_MS + day * DAY_MS).toISOString();
  const hi = new Date(START_MS + (day + 1) * DAY_MS - 1).toISOString();
  const where = `WHERE timestamp BETWEEN '${lo}' AND '${hi}'`;
  const variants = {
    'physical series': `SELECT count(*) AS c, avg(value * 2 + 1) AS a FROM '/bench/s.series' ${where}`,
    '3-level derived chain': `SELECT count(*) AS c, avg(v3) AS a FROM '/bench/l3' ${where}`,
  };
  const results = {};
  for (const [name, sql] of Object.entries(variants)) {
    const out = execFileSync(
      process.execPath,
      [join(import.meta.dirname, 'derived-child.mjs'), pondDir, sql, '7'],
      {
        encoding: 'utf8',
      },
    );
    const [ms, kb] = out.trim().split(' ').map(Number);
    results[name] = { ms, mb: kb / 1024 };
    console.log(
      `${name.padEnd(22)} median ${ms.toFixed(1).padStart(7)} ms   peak RSS ${(kb / 1024).toFixed(0)} MB`,
    );
  }
  const a = results['3-level derived chain'];
  const b = results['physical series'];
  console.log(
    `chain / physical: time ${(a.ms / b.ms).toFixed(2)}x, peak memory ${(a.mb / b.mb).toFixed(2)}x (${VERSIONS} versions x ${ROWS} rows, filter selects 1 version)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

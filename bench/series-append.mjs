// SPDX-License-Identifier: Apache-2.0
// The cost of the series schema check on append: a new version is checked against the
// footers of every existing version. Appends one 100-row version at a time up to VERSIONS
// (default 1000) and, at each checkpoint, prints the median time of a whole append
// transaction next to what the check adds: gathering every version's local path, and the
// check itself (the same call ingest makes) in this process (warm footer cache) and in a
// fresh one (cold, as each `pond copy` is); the share is paths + warm check over an append.
//   node bench/series-append.mjs [VERSIONS]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryType, Pond } from '../dist/index.js';
import { checkSeriesVersion } from '../dist/native/engine.js';

const target = Number(process.argv[2] ?? 1000);
const checkpoints = [10, 100, 1000, 10000].filter((n) => n <= target);
const dir = await mkdtemp(join(tmpdir(), 'pond-bench-append-'));
const SERIES = { entryType: EntryType.TablePhysicalSeries };
const day = 86_400_000_000;
const version = (k) =>
  `SELECT to_timestamp_micros(${k * day} + value * 60000000) AS timestamp, CAST(value AS DOUBLE) AS level, 'north' AS site FROM generate_series(0, 99)`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

/** Local paths of every version of /s.series, as ingest gathers them (through the
 * library's private steward: a bench may look inside). */
async function versionPaths(pond) {
  const found = await (await pond.steward.reader()).lookup('/s.series');
  const file = found.np.node.file;
  return Promise.all((await file.versions()).map((v) => file.localPath(v)));
}

try {
  const pond = await Pond.create(join(dir, 'p'));
  const probe = join(dir, 'probe.parquet');
  const bin = join(import.meta.dirname, '..', 'bin', 'pond.js');
  await writeFile(
    probe,
    execFileSync(process.execPath, [bin, 'sql', version(0), '--format', 'raw']),
  );
  console.log(`append one 100-row version to a series of N versions (median of 5)`);
  console.log(
    '       N   append ms   paths ms   check ms (warm)   check ms (cold process)   check share',
  );
  let n = 0;
  for (const stop of checkpoints) {
    while (n < stop - 5) {
      await pond.transaction((tx) => tx.writeSql('/s.series', version(n), SERIES));
      n++;
    }
    const appends = [];
    for (let i = 0; i < 5; i++, n++) {
      const t = process.hrtime.bigint();
      await pond.transaction((tx) => tx.writeSql('/s.series', version(n), SERIES));
      appends.push(ms(t));
    }
    const gathers = [];
    let paths = [];
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      paths = await versionPaths(pond);
      gathers.push(ms(t));
    }
    const checks = [];
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      await checkSeriesVersion('/s.series', paths, probe);
      checks.push(ms(t));
    }
    const cold = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { checkSeriesVersion } from ${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'native', 'engine.js'))};
         const paths = JSON.parse(process.argv[1]);
         const t = process.hrtime.bigint();
         await checkSeriesVersion('/s.series', paths, ${JSON.stringify(probe)});
         console.log(Number(process.hrtime.bigint() - t) / 1e6);`,
        JSON.stringify(paths),
      ],
      { encoding: 'utf8' },
    );
    const share = (median(gathers) + median(checks)) / median(appends);
    console.log(
      `${String(n).padStart(8)} ${median(appends).toFixed(1).padStart(11)} ${median(gathers).toFixed(1).padStart(10)} ${median(checks).toFixed(2).padStart(17)} ${Number(cold).toFixed(1).padStart(25)} ${(share * 100).toFixed(0).padStart(12)}%`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

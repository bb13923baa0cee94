// SPDX-License-Identifier: Apache-2.0
/**
 * `pond demo`: a small pond of water-system data exercising what pond can do so far: raw
 * files with versions, a large file stored by hash, Parquet series derived from CSV with
 * SQL, a derived view across series and a synthetic series (dynamic nodes), time-range
 * pruning through the view down to the stored versions, and a web server's access log
 * collected by `logfile-ingest` and read through the `weblog` format.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Pond, type PondEnvironment } from '../pond.js';
import { EntryType } from '../tinyfs/entry-type.js';

const WELLS = ['north', 'south'] as const;

/** A day of 10-minute readings from one well, as CSV (deterministic). */
function wellCsv(day: number, phase: number): string {
  const rows = ['timestamp,level_m,temp_c'];
  const start = Date.UTC(2024, 0, day);
  for (let i = 0; i < 144; i++) {
    const t = new Date(start + i * 600_000).toISOString();
    const level = 12 + Math.sin((i / 144) * 2 * Math.PI + phase) * 0.8;
    const temp = 9 + Math.cos((i / 144) * 2 * Math.PI + phase) * 1.5;
    rows.push(`${t},${level.toFixed(3)},${temp.toFixed(2)}`);
  }
  return `${rows.join('\n')}\n`;
}

/** A derived view over both wells' series, stored as a dynamic node (sql-derived-series). */
const BOTH_WELLS = `patterns:
  north: /sensors/well-north/levels.series
  south: /sensors/well-south/levels.series
query: >
  SELECT 'north' AS well, * FROM north UNION ALL SELECT 'south' AS well, * FROM south
`;

/** A synthetic pump schedule: a square wave, computed on read (synthetic-timeseries). */
const PUMP = `start: 2024-01-01T00:00:00Z
end: 2024-01-02T23:50:00Z
interval: 10m
points:
  - name: pump_on
    components: [{type: square, amplitude: 0.5, offset: 0.5, period: 6h}]
`;

/** The pump house's web server log on the host (combined format), one request per hour. */
function accessLog(): string {
  const paths = ['/status', '/api/readings?well=north', '/api/readings?well=south', '/missing'];
  const lines: string[] = [];
  for (let h = 0; h < 24; h++) {
    const path = paths[h % paths.length] as string;
    const status = path === '/missing' ? 404 : 200;
    const hh = String(h).padStart(2, '0');
    lines.push(
      `10.0.0.${(h % 3) + 2} - - [02/Jan/2024:${hh}:05:00 +0000] "GET ${path} HTTP/1.1" ${status} ${200 + h * 7} "-" "telemetry/1.0"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Requests per status in the collected log, read through the weblog format. */
export const DEMO_LOG_QUERY =
  "SELECT status, count(*) AS requests FROM 'weblog:///logs/pump-house/access.log' GROUP BY status ORDER BY status";

/** The query `pond demo` shows: day 2 only, so each series' day-1 version is skipped. */
export const DEMO_QUERY = [
  'SELECT well, count(*) AS readings, round(avg(level_m), 3) AS mean_level_m, max(temp_c) AS max_temp_c',
  "FROM '/derived/wells' WHERE timestamp >= '2024-01-02T00:00:00Z' GROUP BY well ORDER BY well",
].join('\n');

/** Build the demo pond at `dir`; returns its absolute path. */
export async function buildDemo(
  dir: string,
  cwd: string,
  environment: PondEnvironment = {},
): Promise<string> {
  const path = resolve(cwd, dir);
  const pond = await Pond.create(path, { ...environment, birthplace: 'demo' });
  for (const day of [1, 2]) {
    await pond.transaction(
      async (tx) => {
        await tx.mkdir('/docs', { parents: true });
        if (day === 1) {
          await tx.write(
            '/docs/README.txt',
            'Two wells, 10-minute readings of water level and temperature.\n',
          );
        } else {
          // A large raw file (>= 64 KiB) is stored once, outside the table, by its BLAKE3 hash.
          await tx.write(
            '/docs/archive.csv',
            Array.from({ length: 20 }, (_, d) => wellCsv(d + 1, 0)).join(''),
          );
        }
        for (const [i, well] of WELLS.entries()) {
          const base = `/sensors/well-${well}`;
          await tx.mkdir(base, { parents: true });
          // The raw CSV: each day is a new version of the same file.
          await tx.write(`${base}/readings.csv`, wellCsv(day, i * 1.3 + day * 0.2));
          // The same readings as a Parquet series: one version per day, converted with SQL.
          await tx.writeSql(
            `${base}/levels.series`,
            `SELECT arrow_cast(to_timestamp(timestamp), 'Timestamp(Millisecond, Some("UTC"))') AS timestamp,
               level_m, temp_c FROM 'csv://${base}/readings.csv' ORDER BY timestamp`,
            { entryType: EntryType.TablePhysicalSeries },
          );
        }
      },
      { args: ['demo', dir, `--day=${day}`] },
    );
  }
  await pond.transaction(
    async (tx) => {
      await tx.mkdir('/derived');
      await tx.mknod('/derived/wells', 'sql-derived-series', BOTH_WELLS);
      await tx.mknod('/derived/pump', 'synthetic-timeseries', PUMP);
      // The wells side by side on one time axis (North.level_m, South.level_m...).
      await tx.mknod(
        '/derived/joined',
        'timeseries-join',
        'inputs:\n  - {pattern: /sensors/well-north/levels.series, scope: North}\n  - {pattern: /sensors/well-south/levels.series, scope: South}\n',
      );
      // Hourly and 6-hourly rollups per well: /derived/rollups/<well>/res=1h.series.
      await tx.mknod(
        '/derived/rollups',
        'temporal-reduce',
        'in_pattern: /sensors/*/levels.series\nout_pattern: $0\nresolutions: [1h, 6h]\naggregations: [{type: avg}, {type: max, columns: [temp_c]}]\n',
      );
    },
    { args: ['demo', dir, '--views'] },
  );
  // A post-commit factory: after every commit from now on, the sensor files are mirrored
  // (CSV as is, series as Parquet) to DIR/mirror on the host.
  await pond.transaction(
    async (tx) => {
      await tx.mkdir('/system/run', { parents: true });
      await tx.mknod(
        '/system/run/mirror',
        'copy-out',
        `pattern: "/sensors/**"\ndirectory: ${JSON.stringify(join(path, 'mirror'))}\n`,
      );
    },
    { args: ['demo', dir, '--mirror'] },
  );
  // A collector: the pump house's access log on the host, taken in by logfile-ingest (only
  // new bytes on each run, rotations followed) and queried as a table through `weblog:///`.
  const host = join(path, 'host-logs');
  await mkdir(host, { recursive: true });
  await writeFile(join(host, 'access.log'), accessLog());
  await pond.transaction(
    async (tx) => {
      await tx.mkdir('/system/etc', { parents: true });
      await tx.mknod(
        '/system/etc/pump-house-log',
        'logfile-ingest',
        [
          `archived_pattern: ${JSON.stringify(join(host, 'access.log-*'))}`,
          `active_pattern: ${JSON.stringify(join(host, 'access.log'))}`,
          'pond_path: /logs/pump-house',
          '',
        ].join('\n'),
      );
    },
    { args: ['demo', dir, '--collector'] },
  );
  await pond.run('pump-house-log', [], { out: () => {}, args: ['run', 'pump-house-log'] });
  return path;
}

// SPDX-License-Identifier: Apache-2.0
/**
 * `pond set-temporal-bounds` and `pond detect-overlaps` through the CLI (the built `dist/`
 * as a subprocess where the output is the point, in-process for the rest), on real ponds.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { exitStatus } from '../../ts/cli/exit-codes.js';
import {
  copyThreeDays,
  dataVersion,
  pond,
  pondAndHost,
  pondOk,
  pondProcess,
  writeParquet,
} from '../helpers.js';

let p: string;
let host: string;

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
});

async function count(sql: string): Promise<number> {
  const out = await pondOk(p, 'sql', sql, '--format', 'csv');
  return Number(out.stdout.trim().split('\n')[1]);
}

/** The code of an `Error [CODE]: ...` line on stderr. */
function errorCode(stderr: string): string | undefined {
  return /^Error \[([A-Z_]+)\]/.exec(stderr)?.[1];
}

/** How many transactions `pond log` lists. */
async function logLength(): Promise<number> {
  const out = await pondOk(p, 'log', '--format', 'json');
  return out.stdout.trim().split('\n').length;
}

describe('pond set-temporal-bounds', () => {
  it('bounds every read of the series: sql, cat, copy out, derived nodes', async () => {
    await copyThreeDays(p, host, '/s.series');
    const set = await pondProcess(p, [
      'set-temporal-bounds',
      '/s.series',
      '--min-time',
      '2024-01-02 00:30:00',
      '--max-time',
      '2024-01-03T00:10:00+00:00',
    ]);
    expect([set.code, set.stdout]).toEqual([0, '']);
    expect(await count(`SELECT count(*) FROM '/s.series'`)).toBe(81);
    const cat = await pondOk(p, 'cat', '/s.series', '--format', 'csv');
    expect(cat.stdout.trim().split('\n')).toHaveLength(1 + 81);
    await pondOk(p, 'copy', '/s.series', `host://${host}/out/`);
    expect(await count(`SELECT count(*) FROM 'host+table://${host}/out/s.series'`)).toBe(81);
    const cfg = join(host, 'd.yaml');
    await (await import('node:fs/promises')).writeFile(cfg, 'patterns:\n  source: /s.series\n');
    await pondOk(p, 'mknod', 'sql-derived-series', '/d', cfg);
    expect(await count(`SELECT count(*) FROM '/d'`)).toBe(81);
    const explained = (await pondOk(p, 'sql', `SELECT count(*) FROM '/d'`, '--explain')).stdout;
    expect(explained).toMatch(/source=\/s\.series versions=3 versions_skipped=1 /);
    // The marker version reads as an empty version everywhere else.
    expect((await pondOk(p, 'history', '/s.series')).stdout).toMatch(/^v4 .* 0 rows$/m);
    expect((await pondOk(p, 'describe', '/s.series')).stdout).toContain('Total rows: 300');
    expect((await pondOk(p, 'list', '-l', '/s.series')).stdout).toMatch(/^table:series .* v4 /);
  });

  it('keeps the bounds over later copies and removes them with --clear', async () => {
    await copyThreeDays(p, host, '/s.series');
    await pondOk(p, 'set-temporal-bounds', '/s.series', '--max-time', '2024-01-01');
    expect(await count(`SELECT count(*) FROM '/s.series'`)).toBe(1);
    const day4 = join(host, 'd4.parquet');
    await writeParquet(
      day4,
      `SELECT arrow_cast(to_timestamp_millis(${Date.parse('2023-12-31T23:59:00Z')}), 'Timestamp(Millisecond, Some("UTC"))') AS timestamp, 1.0 AS value, 1 AS n, 'odd' AS tag`,
    );
    await pondOk(p, 'copy', `host+series://${day4}`, '/s.series');
    expect(await count(`SELECT count(*) FROM '/s.series'`)).toBe(2);
    const described = await pondOk(p, 'describe', '/s.series');
    expect(described.stdout).toContain(
      'Temporal bounds: open .. 2024-01-01 00:00:00.000 UTC (reads keep only rows inside)',
    );
    const json = JSON.parse((await pondOk(p, 'describe', '/s.series', '--format', 'json')).stdout);
    expect(json.temporal_bounds).toEqual({ min: null, max: '2024-01-01T00:00:00.000Z' });
    await pondOk(p, 'set-temporal-bounds', '/s.series', '--clear');
    expect(await count(`SELECT count(*) FROM '/s.series'`)).toBe(301);
    const cleared = JSON.parse(
      (await pondOk(p, 'describe', '/s.series', '--format', 'json')).stdout,
    );
    expect(cleared.temporal_bounds).toBeNull();
  });

  it('refuses bad input precisely and leaves the pond as it was', async () => {
    await copyThreeDays(p, host, '/s.series');
    await pondOk(p, 'copy', `host://${host}/d0.parquet`, '/raw');
    const before = await dataVersion(p);
    const cases: [string[], string][] = [
      [['/s.series', '--min-time', '2024-02-30'], 'USAGE'],
      [['/s.series', '--min-time', 'yesterday'], 'USAGE'],
      [['/s.series'], 'INVALID_ARGUMENT'],
      [['/s.series', '--clear', '--min-time', '2024-01-01'], 'INVALID_ARGUMENT'],
      [['/s.series', '--min-time', '2024-01-03', '--max-time', '2024-01-02'], 'INVALID_ARGUMENT'],
      [['/raw', '--min-time', '2024-01-01'], 'INVALID_ARGUMENT'],
      [['/no/such/dir/x', '--min-time', '2024-01-01'], 'NOT_FOUND'],
    ];
    for (const [args, code] of cases) {
      const r = await pond(p, 'set-temporal-bounds', ...args);
      expect([r.code, errorCode(r.stderr)], args.join(' ')).toEqual([
        exitStatus(code as 'USAGE'),
        code,
      ]);
    }
    expect(await dataVersion(p)).toBe(before);
    expect(await count(`SELECT count(*) FROM '/s.series'`)).toBe(300);
  });
});

/** Three readings of `a` (ms, column `timestamp`) at 0, 2, 4 min and two of `b` (whole
 * seconds, column `event_time`) at 3, 5 min after 2024-03-01. */
async function interleaved(): Promise<void> {
  const t0 = Date.parse('2024-03-01T00:00:00Z');
  await pondOk(p, 'mkdir', '/o');
  await writeParquet(
    join(host, 'a.parquet'),
    `SELECT arrow_cast(to_timestamp_millis(${t0} + value * 120000), 'Timestamp(Millisecond, Some("UTC"))') AS timestamp, value FROM generate_series(0, 2)`,
  );
  await writeParquet(
    join(host, 'b.parquet'),
    `SELECT arrow_cast(${t0 / 1000 + 180} + value * 120, 'Timestamp(Second, Some("UTC"))') AS event_time, value FROM generate_series(0, 1)`,
  );
  await pondOk(p, 'copy', `host+series://${host}/a.parquet`, '/o/a.series');
  await pondOk(p, 'copy', `host+series://${host}/b.parquet`, '/o/b.series');
}

const SUMMARY = [
  'Temporal Overlap Analysis Summary',
  '================================',
  'Total data points: 5',
  'Overlapping points: 5',
  'Overlap percentage: 100.00%',
  'Timeline segments: 1 runs, 2 overlaps',
  '',
  'Timeline Analysis:',
  '  1. RUN: /o/a.series - 2024-03-01 00:00:00 UTC to 2024-03-01 00:02:00 UTC (0.0 hours, 2 points)',
  '  2. OVERLAP: 2024-03-01 00:02:00 UTC to 2024-03-01 00:04:00 UTC - 3 points from files ["/o/a.series", "/o/b.series"]',
  '  3. OVERLAP: 2024-03-01 00:04:00 UTC to 2024-03-01 00:05:00 UTC - 2 points from files ["/o/a.series", "/o/b.series"]',
  '',
  'Origin Statistics:',
  '  /o/a.series: 3 points, 2024-03-01 00:00:00 UTC to 2024-03-01 00:04:00 UTC (0.1 hours span)',
  '  /o/b.series: 2 points, 2024-03-01 00:03:00 UTC to 2024-03-01 00:05:00 UTC (0.0 hours span)',
  '',
].join('\n');

describe('pond detect-overlaps', () => {
  it("prints the original's report over each series' own time column, reading only", async () => {
    await interleaved();
    const [version, log] = [await dataVersion(p), await logLength()];
    const r = await pondProcess(p, ['detect-overlaps', '/o/*.series']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, SUMMARY, '']);
    expect([await dataVersion(p), await logLength()]).toEqual([version, log]);
  });

  it('adds each overlap with --format full and each version with --verbose', async () => {
    await interleaved();
    const r = await pondOk(
      p,
      'detect-overlaps',
      '/o/a.series',
      '/o/b.series',
      '--format',
      'full',
      '--verbose',
    );
    const detail = [
      '',
      'Detailed Overlap Runs:',
      '',
      'Run 1: Time range overlap',
      '  Start: 2024-03-01 00:02:00 UTC',
      '  End: 2024-03-01 00:04:00 UTC',
      '  Duration: 0.0 hours',
      '  Points: 3',
      '  Origins involved: ["/o/a.series", "/o/b.series"]',
      '',
      'Run 2: Time range overlap',
      '  Start: 2024-03-01 00:04:00 UTC',
      '  End: 2024-03-01 00:05:00 UTC',
      '  Duration: 0.0 hours',
      '  Points: 2',
      '  Origins involved: ["/o/a.series", "/o/b.series"]',
      '',
      'Versions:',
      '  /o/a.series v1: 3 points, 2024-03-01 00:00:00 UTC to 2024-03-01 00:04:00 UTC',
      '  /o/b.series v1: 2 points, 2024-03-01 00:03:00 UTC to 2024-03-01 00:05:00 UTC',
      '',
    ].join('\n');
    expect(r.stdout).toBe(SUMMARY + detail);
  });

  it('reads every version of a series, with its temporal bounds', async () => {
    await copyThreeDays(p, host, '/s.series');
    const whole = await pondOk(p, 'detect-overlaps', '/s.series');
    expect(whole.stdout).toContain(
      '  1. RUN: /s.series - 2024-01-01 00:00:00 UTC to 2024-01-03 01:39:00 UTC (49.6 hours, 300 points)',
    );
    await pondOk(p, 'set-temporal-bounds', '/s.series', '--min-time', '2024-01-02');
    const bounded = await pondOk(p, 'detect-overlaps', '/s.series');
    expect(bounded.stdout).toContain('Total data points: 200\n');
    expect(bounded.stdout).toContain(
      '  /s.series: 200 points, 2024-01-02 00:00:00 UTC to 2024-01-03 01:39:00 UTC (25.6 hours span)',
    );
  });

  it('refuses what it cannot read and says when nothing matches', async () => {
    await interleaved();
    await pondOk(p, 'copy', `host://${host}/a.parquet`, '/raw');
    const cases: [string[], string][] = [
      [['/o/a.series', '--format', 'xml'], 'USAGE'],
      [['/raw'], 'INVALID_ARGUMENT'],
      [['/o/none.series'], 'NOT_FOUND'],
      [['/nowhere/*.series'], 'NOT_FOUND'],
    ];
    for (const [args, code] of cases) {
      const r = await pond(p, 'detect-overlaps', ...args);
      expect([r.code, errorCode(r.stderr)], args.join(' ')).toEqual([
        exitStatus(code as 'USAGE'),
        code,
      ]);
    }
    const none = await pondOk(p, 'detect-overlaps', '/o/*.csv');
    expect([none.stdout, none.stderr]).toEqual(['', 'detect-overlaps: no series match /o/*.csv\n']);
  });
});

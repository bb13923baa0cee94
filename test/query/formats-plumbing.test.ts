// SPDX-License-Identifier: Apache-2.0
/**
 * What the four streamed formats share: the format table (TS and the addon agree), every
 * member of a compressed stream, a raw series' versions as one stream, the content-keyed
 * cache (warnings kept with an entry, a tampered one rebuilt), warnings on the CLI's stderr
 * and errors that leave the pond as it was, time filters pushed into the scan, and every
 * pattern field and factory that takes a URL.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EntryType, type Pond } from '../../ts/index.js';
import { parsedFormats } from '../../ts/native/engine.js';
import { PARSED_FORMAT_TABLE } from '../../ts/query/url.js';
import { pond as cli, dataVersion, pondAndHost, pondOk } from '../helpers.js';
import { fixture, freshPond, query } from './formats-fixtures.js';

const ACCESS_PATHS = ['/', '/api/readings?site=well', '/favicon.ico', '/index.html'];

async function paths(pond: Pond, url: string): Promise<unknown[]> {
  return (await query(pond, `SELECT path FROM '${url}' ORDER BY path`)).rows.map((r) => r.path);
}

describe('the format table', () => {
  it('is the same in TS and in the addon', () => {
    const native = Object.fromEntries(
      parsedFormats().map((f) => [f.name, { options: f.options, concatenated: f.concatenated }]),
    );
    const ts = Object.fromEntries(
      Object.entries(PARSED_FORMAT_TABLE).map(([name, f]) => [
        name,
        { options: [...f.options], concatenated: f.concatenated },
      ]),
    );
    expect(native).toEqual(ts);
  });
});

describe('compression', () => {
  it.each([
    ['gzip', 'access.log.gz'],
    ['zstd', 'access.log.zst'],
    ['bzip2', 'access.log.bz2'],
  ])('decodes every member of a %s stream, on the host and in the pond', async (kind, name) => {
    const pond = await freshPond();
    const file = fixture(`compressed/${name}`);
    expect(await paths(pond, `host+weblog+${kind}://${file}`)).toEqual(ACCESS_PATHS);
    const bytes = await readFile(file);
    await pond.transaction((tx) => tx.write(`/${name}`, bytes));
    expect(await paths(pond, `weblog+${kind}:///${name}`)).toEqual(ACCESS_PATHS);
  });

  it('refuses bytes that are not the named compression with INVALID_DATA', async () => {
    const pond = await freshPond();
    const url = `host+weblog+gzip://${fixture('weblog/access.log')}`;
    await expect(pond.sql(`SELECT * FROM '${url}'`)).rejects.toMatchObject({
      code: 'INVALID_DATA',
      path: url,
    });
  });
});

describe('a raw series', () => {
  it('is read as one stream, so a line split across two versions parses', async () => {
    const pond = await freshPond();
    const text = await readFile(fixture('weblog/access.log'));
    const cut = text.indexOf('"POST') + 3; // inside the second line
    for (const part of [text.subarray(0, cut), text.subarray(cut)]) {
      await pond.transaction((tx) =>
        tx.write('/access.log', part, { entryType: EntryType.FilePhysicalSeries }),
      );
    }
    const got = await query(pond, `SELECT path FROM 'weblog:///access.log' ORDER BY path`);
    expect(got.rows.map((r) => r.path)).toEqual(ACCESS_PATHS);
    expect(got.warnings).toEqual([]);
    // A version on its own is its own stream.
    expect(await paths(pond, 'weblog:///access.log@v1')).toEqual(['/index.html']);
    // Compressed versions too: every member of the concatenation.
    const gz = await readFile(fixture('compressed/access.log.gz'));
    const half = gz.indexOf(Buffer.from([0x1f, 0x8b]), 1);
    for (const part of [gz.subarray(0, half), gz.subarray(half)]) {
      await pond.transaction((tx) =>
        tx.write('/access.log.gz', part, { entryType: EntryType.FilePhysicalSeries }),
      );
    }
    expect(await paths(pond, 'weblog+gzip:///access.log.gz')).toEqual(ACCESS_PATHS);
  });

  it('is parsed again when a version is added', async () => {
    const pond = await freshPond();
    const lines = (await readFile(fixture('weblog/access.log'), 'utf8')).split('\n');
    const add = (text: string) =>
      pond.transaction((tx) =>
        tx.write('/a.log', Buffer.from(text), { entryType: EntryType.FilePhysicalSeries }),
      );
    await add(`${lines[0]}\n`);
    expect(await paths(pond, 'weblog:///a.log')).toEqual(['/index.html']);
    await add(`${lines[3]}\n`);
    expect(await paths(pond, 'weblog:///a.log')).toEqual(['/', '/index.html']);
  });
});

describe('the format cache', () => {
  it('keeps a parse and its warnings, and rebuilds an entry whose warnings were changed', async () => {
    const pond = await freshPond();
    const bytes = await readFile(fixture('weblog/mixed.log'));
    await pond.transaction((tx) => tx.write('/mixed.log', bytes));
    const sql = `SELECT count(*) AS n FROM 'weblog:///mixed.log'`;
    const first = await query(pond, sql);
    expect(first.rows).toEqual([{ n: 4 }]);
    expect(first.warnings).toHaveLength(3);
    const dir = join(pond.path, 'cache', 'formats');
    const names = (await readdir(dir)).sort();
    expect(names).toHaveLength(2);
    const [entry, sidecar] = names as [string, string];
    expect(sidecar).toBe(`${entry}.warnings.json`);
    // Read from the cache: the same rows, the same warnings.
    expect(await query(pond, sql)).toEqual(first);
    // Warnings edited on disk no longer match the entry's name: it is parsed again.
    await writeFile(join(dir, sidecar), JSON.stringify(['\u001b[31mforged']));
    expect(await query(pond, sql)).toEqual(first);
    expect((await readdir(dir)).sort()).toEqual(names);
  });
});

describe('the CLI', () => {
  it('prints warnings on stderr, and strict errors leave the pond as it was', async () => {
    const { p } = await pondAndHost();
    const url = `host+weblog://${fixture('weblog/mixed.log')}`;
    const out = await pondOk(p, 'sql', `SELECT count(*) AS n FROM '${url}'`, '--format', 'csv');
    expect(out.stdout).toBe('n\n4\n');
    expect(out.stderr.split('\n').filter((l) => l.startsWith('warning: weblog: '))).toHaveLength(3);
    const before = await dataVersion(p);
    const strict = await cli(p, 'sql', `SELECT * FROM '${url}?strict=true'`, '--format', 'json');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('INVALID_DATA');
    expect(strict.stderr).toContain('line 2');
    expect(await dataVersion(p)).toBe(before);
  });
});

describe('time filters', () => {
  const FILTER = `timestamp >= '2000-10-10T20:56:00Z' AND timestamp < '2000-10-11T00:00:00Z'`;

  it('reach the parser of a host file', async () => {
    const pond = await freshPond();
    const url = `host+weblog://${fixture('weblog/access.log')}`;
    const sql = `SELECT path FROM '${url}' WHERE ${FILTER} ORDER BY path`;
    expect((await query(pond, sql)).rows.map((r) => r.path)).toEqual([
      '/api/readings?site=well',
      '/favicon.ico',
    ]);
    const plan = await cli(undefined, 'sql', '--explain', sql);
    expect(plan.stdout).toMatch(
      /FormatScanExec: format=weblog source=\S+ streams=1 time_us=\[971211360000000, 971222399999999\]/,
    );
  });

  it('prune the row groups of a cached parse', async () => {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'big.log'), bigLog());
    await pondOk(p, 'copy', `host://${join(host, 'big.log')}`, '/big.log');
    const sql = `SELECT count(*) AS n FROM 'weblog:///big.log' WHERE timestamp >= '2024-01-01T10:00:00Z'`;
    expect((await pondOk(p, 'sql', sql, '--format', 'csv')).stdout).toBe('n\n3600\n');
    const plan = (await pondOk(p, 'sql', '--explain', sql)).stdout;
    const scan =
      /PondScanExec: .* row_groups=(\d+) row_groups_pruned=(\d+) time_us=\[1704103200000000, -\]/.exec(
        plan,
      );
    expect(scan).not.toBeNull();
    expect(Number(scan?.[2])).toBeGreaterThan(0);
  });
});

/** Eleven hours of one request a second from 2024-01-01T00:00:00Z, in time order. */
function bigLog(): string {
  const lines: string[] = [];
  for (let s = 0; s < 11 * 3600; s++) {
    const t = new Date(Date.UTC(2024, 0, 1) + s * 1000);
    const hh = String(t.getUTCHours()).padStart(2, '0');
    const mm = String(t.getUTCMinutes()).padStart(2, '0');
    const ss = String(t.getUTCSeconds()).padStart(2, '0');
    lines.push(
      `10.0.0.1 - - [01/Jan/2024:${hh}:${mm}:${ss} +0000] "GET /r/${s} HTTP/1.1" 200 ${s} "-" "bench"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('factories', () => {
  it('read the formats through every pattern field that takes a URL', async () => {
    const pond = await freshPond();
    const log = await readFile(fixture('weblog/access.log'));
    const metrics = await readFile(fixture('oteljson/pump.ndjson'));
    const journal = await readFile(fixture('jsonlogs/journal.ndjson'));
    const html = gzipSync(await readFile(fixture('excelhtml/hydrovu.xls')));
    await pond.transaction(async (tx) => {
      for (const d of ['/logs', '/m', '/j', '/x']) await tx.mkdir(d);
      await tx.write('/logs/access.log', log);
      await tx.write('/m/pump.json', metrics);
      await tx.write('/j/journal.json', journal);
      await tx.write('/x/well.htm.gz', html);
      await tx.mknod(
        '/status',
        'sql-derived-series',
        'patterns:\n  source: "weblog:///logs/*.log"\nquery: "SELECT status, count(*) AS n FROM source GROUP BY status"\n',
      );
      await tx.mknod(
        '/hosted',
        'sql-derived-table',
        `patterns:\n  source: "host+oteljson://${fixture('oteljson/pump.ndjson')}"\n`,
      );
      await tx.mknod(
        '/all',
        'combine',
        'patterns: ["jsonlogs:///j/*.json", "jsonlogs:///j/journal.json"]\n',
      );
      await tx.mknod(
        '/wells',
        'sql-derived-table',
        'patterns:\n  source: "excelhtml+gzip:///x/*.htm.gz?strict=true"\n',
      );
      await tx.mknod(
        '/reduce',
        'temporal-reduce',
        'in_pattern: "weblog:///logs/*.log"\nout_pattern: "$0"\nresolutions: [1h]\naggregations: [{type: count, columns: ["*"]}]\n',
      );
      await tx.mknod(
        '/joined',
        'timeseries-join',
        'inputs:\n  - {pattern: "oteljson:///m/*.json", scope: M}\n  - {pattern: "host+oteljson://' +
          fixture('oteljson/unordered.ndjson') +
          '", scope: U}\n',
      );
      await tx.mknod(
        '/pivot',
        'timeseries-pivot',
        'pattern: "oteljson:///m/*.json"\ncolumns: [pump.amps]\n',
      );
    });
    expect((await query(pond, `SELECT * FROM '/status' ORDER BY status`)).rows).toEqual([
      { status: 200, n: 1 },
      { status: 201, n: 1 },
      { status: 304, n: 1 },
      { status: 404, n: 1 },
    ]);
    expect((await query(pond, `SELECT count(*) AS n FROM '/hosted'`)).rows).toEqual([{ n: 4 }]);
    expect((await query(pond, `SELECT count(*) AS n FROM '/all'`)).rows).toEqual([{ n: 6 }]);
    expect((await query(pond, `SELECT max("Depth (m) (123456)") AS d FROM '/wells'`)).rows).toEqual(
      [{ d: 13.25 }],
    );
    const reduced = await query(
      pond,
      `SELECT * FROM '/reduce/access/res=1h.series' ORDER BY timestamp`,
    );
    expect(reduced.rows).toEqual([
      { timestamp: '2000-10-10T20:00:00.000Z', count: 3 },
      { timestamp: '2000-10-11T00:00:00.000Z', count: 1 },
    ]);
    const joined = await query(pond, `SELECT * FROM '/joined' ORDER BY timestamp`);
    expect(joined.rows.map((r) => [r.timestamp, r['M.pump.amps'], r['U.a']])).toEqual([
      ['2024-01-01T08:00:00.000Z', 3.2, 1],
      ['2024-01-01T08:01:00.000Z', 3.4, 1.5],
      ['2024-01-01T08:02:00.000Z', 3.3, 9],
      ['2024-01-01T08:03:00.000Z', null, null],
    ]);
    const pivot = await query(pond, `SELECT * FROM '/pivot' ORDER BY timestamp`);
    expect(pivot.rows.map((r) => r['pump.pump.amps'])).toEqual([3.2, 3.4, 3.3, null]);
  });
});

// SPDX-License-Identifier: Apache-2.0
/**
 * The `hydrovu` collector end to end: a real pond (Delta, DataFusion) on a temp directory
 * and a real HTTP server on loopback. Rows, columns and types of the collected series,
 * the resume point of a second run, the point budget, a run that fails mid-way writing
 * nothing, credentials only from the environment and never in the log, the seed archive,
 * `archive`, `list-devices` and a post-commit run.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run as cli } from '../../ts/cli/main.js';
import { PondError } from '../../ts/errors.js';
import { hydrovuFactory } from '../../ts/factories/hydrovu.js';
import { ALIASES, FACTORIES } from '../../ts/factories/index.js';
import { Registry } from '../../ts/factories/registry.js';
import { Pond } from '../../ts/pond.js';
import { EntryType } from '../../ts/tinyfs/entry-type.js';
import { pondProcess, tempDir } from '../helpers.js';
import {
  type Parameter,
  type ServerOptions,
  startHydroVu,
  type TestServer,
} from './hydrovu-server.js';

const ID = 'hv-client-7781';
const SECRET = 'hv-secret-5f0c2e9a';
const ENV = { HYDRO_KEY_ID: ID, HYDRO_KEY_VALUE: SECRET };
const T0 = 1_700_000_100;
const DOCK = 6582334;
const BUOY = 6583000;
const SPARE = 6582999;
const SERIES = `/hydrovu/devices/${DOCK}/DockVulink_active.series`;
const BUOY_SERIES = `/hydrovu/devices/${BUOY}/Buoy_active.series`;

type Mutable = { parameterId: string; unitId: string; readings: Parameter['readings'][number][] };

/** Readings every 300 s from `from`: `n` of them, values `base + i`. */
function every300(n: number, base: number, from = T0): Mutable['readings'] {
  return Array.from({ length: n }, (_, i) => ({ timestamp: from + i * 300, value: base + i }));
}

function locations(): Record<number, Mutable[]> {
  return {
    [DOCK]: [
      { parameterId: '1', unitId: '1', readings: every300(5, 12) },
      {
        parameterId: '4',
        unitId: '17',
        readings: [
          { timestamp: T0, value: 4310 },
          { timestamp: T0 + 600, value: null },
          { timestamp: T0 + 1200, value: 4312 },
        ],
      },
    ],
    [BUOY]: [
      { parameterId: 'density', unitId: 'density', readings: every300(3, 1, T0 + 60) },
      { parameterId: '99', unitId: '1', readings: every300(2, 7, T0 + 60) },
    ],
    [SPARE]: [{ parameterId: '1', unitId: '1', readings: every300(2, 0) }],
  };
}

function config(url: string, extra = ''): string {
  return `client_id: "\${env:HV_ID}"
client_secret: "\${env:HV_SECRET}"
max_points_per_run: 20000
hydrovu_path: /hydrovu
base_url: ${url}
retry_backoff: 0s
max_retries: 2
${extra}devices:
  - {name: DockVulink, id: ${DOCK}}
  - {name: SpareAT500, id: ${SPARE}, active: false, comment: "in the shop"}
  - {name: Buoy, id: ${BUOY}}
`;
}

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface Setup {
  readonly server: TestServer;
  readonly pond: Pond;
  readonly dir: string;
  readonly data: Record<number, Mutable[]>;
  readonly out: string[];
  /** The node's config text. */
  readonly text: string;
}

async function setup(
  options: {
    server?: Partial<ServerOptions>;
    config?: (url: string) => string;
    env?: Record<string, string>;
    now?: Date;
  } = {},
): Promise<Setup> {
  const data = locations();
  server = await startHydroVu({
    clientId: ID,
    clientSecret: SECRET,
    locations: data,
    ...options.server,
  });
  const dir = await tempDir();
  const registry = new Registry(
    [
      ...FACTORIES.filter((f) => f.name !== 'hydrovu'),
      hydrovuFactory(options.now ? { now: () => options.now as Date } : {}),
    ],
    ALIASES,
  );
  const out: string[] = [];
  const env = options.env ?? { HV_ID: ID, HV_SECRET: SECRET };
  const log = (t: string) => out.push(t);
  const pond = await Pond.create(join(dir, 'p'), { env, registry, out: log, err: log });
  const text = (options.config ?? config)(server.url);
  await pond.transaction(async (tx) => {
    await tx.mkdir('/etc', { parents: true });
    await tx.mknod('/etc/hydrovu', 'hydrovu', text);
  });
  return { server, pond, dir, data, out, text };
}

async function rows(pond: Pond, path: string): Promise<Array<Record<string, unknown>>> {
  const table = await pond.sql(`SELECT * FROM '${path}' ORDER BY timestamp`);
  return table.toArray().map((r) => ({ ...r.toJSON() }));
}

async function rejection(p: Promise<unknown>): Promise<PondError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PondError) return err;
    throw err;
  }
  throw new Error('expected a PondError');
}

async function runCli(args: string[], env: Record<string, string | undefined>) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: [Buffer[], Buffer[]] = [[], []];
  out.on('data', (c: Buffer) => chunks[0].push(c));
  err.on('data', (c: Buffer) => chunks[1].push(c));
  const code = await cli(args, { stdout: out, stderr: err, env, cwd: process.cwd() });
  return {
    code,
    stdout: Buffer.concat(chunks[0]).toString(),
    stderr: Buffer.concat(chunks[1]).toString(),
  };
}

describe('hydrovu collect', () => {
  it('writes one wide row per timestamp with <parameter>.<unit> columns', async () => {
    const { pond, server, out } = await setup();
    await pond.run('/etc/hydrovu', ['collect'], { out: (t) => out.push(t) });
    // The stored type, as the engine sees it (the library hands timestamps over as µs UTC).
    const types = await pond.sql(
      `SELECT arrow_typeof(timestamp) AS t, arrow_typeof("Temperature.C") AS c FROM '${SERIES}' LIMIT 1`,
    );
    expect(types.toArray().map((r) => ({ ...r.toJSON() }))).toEqual([
      { t: 'Timestamp(s, "+00:00")', c: 'Float64' },
    ]);
    const table = await pond.sql(`SELECT * FROM '${SERIES}' ORDER BY timestamp`);
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      'timestamp',
      'Specific Conductivity.uS/cm',
      'Temperature.C',
    ]);
    expect(await rows(pond, SERIES)).toEqual([
      { timestamp: T0 * 1000, 'Specific Conductivity.uS/cm': 4310, 'Temperature.C': 12 },
      { timestamp: (T0 + 300) * 1000, 'Specific Conductivity.uS/cm': null, 'Temperature.C': 13 },
      { timestamp: (T0 + 600) * 1000, 'Specific Conductivity.uS/cm': null, 'Temperature.C': 14 },
      { timestamp: (T0 + 900) * 1000, 'Specific Conductivity.uS/cm': null, 'Temperature.C': 15 },
      { timestamp: (T0 + 1200) * 1000, 'Specific Conductivity.uS/cm': 4312, 'Temperature.C': 16 },
    ]);
    // Ids missing from the dictionary stand for themselves.
    expect(
      (await pond.sql(`SELECT * FROM '${BUOY_SERIES}'`)).schema.fields.map((f) => f.name),
    ).toEqual(['timestamp', '99.C', 'Density.g/cm3']);
    const [version] = await pond.versions(SERIES);
    expect(version?.minEventTime?.getTime()).toBe(T0 * 1000);
    expect(version?.maxEventTime?.getTime()).toBe((T0 + 1200) * 1000);
    // The inactive device is never asked for, and its directory is not made.
    expect(server.startTimes(SPARE)).toEqual([]);
    expect((await pond.list(`/hydrovu/devices/*`)).map((e) => e.path)).toEqual([
      `/hydrovu/devices/${DOCK}`,
      `/hydrovu/devices/${BUOY}`,
    ]);
    expect(out.join('')).toContain(
      `Device ${DOCK} (DockVulink) collected 5 records from 2023-11-14T22:15:00Z to 2023-11-14T22:35:00Z`,
    );
    // A time filter prunes on the recorded bounds and the Parquet statistics.
    const later = await pond.sql(
      `SELECT count(*) AS n FROM '${SERIES}' WHERE timestamp >= '2023-11-14T22:25:00Z'`,
    );
    expect(Number(later.getChildAt(0)?.get(0))).toBe(3);
  });

  it('shows a progress counter per device, counting points', async () => {
    const { pond } = await setup();
    const counts = new Map<string, number>();
    const ended: string[] = [];
    await pond.run('/etc/hydrovu', ['collect'], {
      progress: (label, unit) => {
        expect(unit).toBe('points');
        counts.set(label, 0);
        return {
          add: (n) => counts.set(label, (counts.get(label) ?? 0) + n),
          done: () => ended.push(label),
        };
      },
    });
    expect([...counts]).toEqual([
      ['hydrovu DockVulink', 8],
      ['hydrovu Buoy', 5],
    ]);
    expect(ended).toEqual(['hydrovu DockVulink', 'hydrovu Buoy']);
  });

  it('a second run resumes one second after the newest reading and adds one version', async () => {
    const { pond, server, data } = await setup();
    await pond.run('/etc/hydrovu', ['collect']);
    data[DOCK]?.[0]?.readings.push(...every300(2, 50, T0 + 1500));
    await pond.run('/etc/hydrovu', ['collect']);
    expect(server.startTimes(DOCK)).toEqual([0, T0 + 1200 + 1]);
    expect(server.startTimes(BUOY)).toEqual([0, T0 + 60 + 600 + 1]);
    const versions = await pond.versions(SERIES);
    expect(versions.map((v) => v.rows)).toEqual([5, 2]);
    const all = await rows(pond, SERIES);
    expect(all.map((r) => [r.timestamp, r['Temperature.C']]).slice(-2)).toEqual([
      [(T0 + 1500) * 1000, 50],
      [(T0 + 1800) * 1000, 51],
    ]);
    // The second version lacks the conductivity column; reads see NULL there.
    expect(all.at(-1)?.['Specific Conductivity.uS/cm']).toBeNull();
    // Buoy had nothing new: one version still.
    expect((await pond.versions(BUOY_SERIES)).length).toBe(1);
    // Nothing new anywhere: no commit at all.
    const before = (await pond.transactions()).length;
    await pond.run('/etc/hydrovu', ['collect']);
    const txns = await pond.transactions();
    expect(txns.length).toBe(before + 1);
    expect(txns.at(-1)?.status).toBe('COMPLETED');
  });

  it('max_points_per_run ends a device after the page that reaches it; the next run continues', async () => {
    const { pond, server } = await setup({
      config: (url) => config(url).replace('max_points_per_run: 20000', 'max_points_per_run: 3'),
    });
    await pond.run('/etc/hydrovu', ['collect']);
    // Page 1 of DockVulink holds 3 points (T0 twice, T0+300): the budget is reached.
    expect((await rows(pond, SERIES)).map((r) => r.timestamp)).toEqual([
      T0 * 1000,
      (T0 + 300) * 1000,
    ]);
    await pond.run('/etc/hydrovu', ['collect']);
    expect(server.startTimes(DOCK)).toEqual([0, T0 + 301]);
    expect((await pond.versions(SERIES)).map((v) => v.rows)).toEqual([2, 2]);
  });

  it('rides out a 429, a 500 and an expired token', async () => {
    let dataRequests = 0;
    const { pond, server } = await setup({
      server: {
        tokenUses: 3,
        fault: (_, r) => {
          if (!r.path.endsWith('/data')) return undefined;
          dataRequests++;
          if (dataRequests === 2) return { status: 429, headers: { 'retry-after': '0' } };
          if (dataRequests === 4) return { status: 500, body: 'try again' };
          return undefined;
        },
      },
    });
    await pond.run('/etc/hydrovu', ['collect']);
    expect((await rows(pond, SERIES)).length).toBe(5);
    expect((await rows(pond, BUOY_SERIES)).length).toBe(3);
    expect(server.tokens.length).toBeGreaterThan(1);
  });

  it('a device failing mid-run writes nothing for any device and records the failure', async () => {
    const { pond, server } = await setup({
      server: {
        fault: (_, r) =>
          r.path.includes(`/${BUOY}/`)
            ? { status: 500, body: `upstream said ${SECRET}` }
            : undefined,
      },
    });
    const before = await pond.list('/**');
    const err = await rejection(pond.run('/etc/hydrovu', ['collect']));
    expect(err.code).toBe('IO');
    expect(err.message).toContain(`device Buoy (${BUOY})`);
    expect(err.message).not.toContain(SECRET);
    expect(server.startTimes(DOCK)).toEqual([0]);
    expect(await pond.list('/**')).toEqual(before);
    const last = (await pond.transactions()).at(-1);
    expect(last?.status).toBe('FAILED');
    expect(last?.error).toContain('HTTP 500');
    expect(JSON.stringify(await pond.transactions())).not.toContain(SECRET);
  });

  it('a malformed page fails the run with INVALID_DATA and writes nothing', async () => {
    const { pond } = await setup({
      server: {
        pageSize: 1,
        pageBody: (loc, n) => (loc === DOCK && n === 3 ? '{"locationId": ' : undefined),
      },
    });
    const before = await pond.list('/**');
    const err = await rejection(pond.run('/etc/hydrovu', ['collect']));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain(`location ${DOCK}, page 3`);
    expect(await pond.list('/**')).toEqual(before);
  });
});

describe('hydrovu credentials', () => {
  it('a literal client_secret is refused at mknod and nothing is stored', async () => {
    const { pond, server } = await setup();
    const literal = config(server.url).replace('"${env:HV_SECRET}"', 'hunter2-literal');
    const err = await rejection(
      pond.transaction((tx) => tx.mknod('/etc/other', 'hydrovu', literal)),
    );
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('client_secret');
    expect((await pond.list('/etc/*')).map((e) => e.path)).toEqual(['/etc/hydrovu']);
  });

  it('without config references it uses HYDRO_KEY_ID and HYDRO_KEY_VALUE', async () => {
    const { pond, server } = await setup({
      env: ENV,
      config: (url) => config(url).replace(/client_(id|secret): .*\n/g, ''),
    });
    await pond.run('/etc/hydrovu', ['collect']);
    expect(server.tokens.length).toBe(1);
  });

  it('no credentials at all is INVALID_CONFIG naming the variables', async () => {
    const { pond } = await setup({
      env: {},
      config: (url) => config(url).replace(/client_(id|secret): .*\n/g, ''),
    });
    const err = await rejection(pond.run('/etc/hydrovu', ['collect']));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('HYDRO_KEY_ID');
  });

  it('pond run through the CLI: output, exit status, and no secret in pond log', async () => {
    const { dir, server } = await setup();
    const env = { POND: join(dir, 'p'), HV_ID: ID, HV_SECRET: SECRET };
    const ok = await runCli(['run', '/etc/hydrovu', 'collect'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^hydrovu collect: 8 records from 2 devices \(\d+ requests\)\n$/);
    expect(ok.stderr).toContain(`Device ${DOCK} (DockVulink) collected 5 records`);
    const bad = await runCli(['run', '/etc/hydrovu', 'harvest'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INVALID_ARGUMENT');
    await server.close();
    const down = await runCli(['run', '/etc/hydrovu', 'collect'], env);
    expect(down.code).not.toBe(0);
    const log = await runCli(['log', '--format', 'json'], env);
    expect(log.stdout).toContain('"FAILED"');
    for (const text of [ok.stdout, ok.stderr, down.stderr, log.stdout]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ID);
    }
  });
});

describe('hydrovu through the CLI', () => {
  it('mknod from a file, collect, query with a time filter; host+ runs only list-devices', async () => {
    const { server, data } = await setup();
    const dir = await tempDir();
    const file = join(dir, 'hydrovu.yaml');
    await writeFile(file, config(server.url));
    const env = { POND: join(dir, 'p'), ...ENV, HV_ID: ID, HV_SECRET: SECRET };
    for (const args of [
      ['init'],
      ['mkdir', '-p', '/etc'],
      ['mknod', 'hydrovu', '/etc/hydrovu', file],
      ['run', '/etc/hydrovu', 'collect'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const sql = await runCli(
      [
        'sql',
        `SELECT count(*) AS n FROM '${SERIES}' WHERE timestamp >= '2023-11-14T22:25:00Z'`,
        '--format',
        'csv',
      ],
      env,
    );
    expect(sql.stdout.trim().split('\n')).toEqual(['n', '3']);
    // The installed CLI (bin/pond.js, its bundle) in a process of its own.
    data[DOCK]?.[0]?.readings.push(...every300(1, 99, T0 + 1500));
    const child = await pondProcess(join(dir, 'p'), ['run', '/etc/hydrovu', 'collect'], {
      env: { HV_ID: ID, HV_SECRET: SECRET },
    });
    expect(child.code, child.stderr).toBe(0);
    expect(child.stderr).toContain(`Device ${DOCK} (DockVulink) collected 1 records`);
    expect(child.stdout).toMatch(/^hydrovu collect: 1 records from 2 devices/);
    const hostEnv = { HV_ID: ID, HV_SECRET: SECRET };
    const listed = await runCli(
      ['-d', dir, 'run', 'host+hydrovu:///hydrovu.yaml', 'list-devices'],
      hostEnv,
    );
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^DockVulink\s+6582334\s+yes\s+-\s+/m);
    const refused = await runCli(
      ['-d', dir, 'run', 'host+hydrovu:///hydrovu.yaml', 'collect'],
      hostEnv,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('INVALID_ARGUMENT');
  });
});

describe('hydrovu resume from a seed archive', () => {
  it('starts after the archive when the device has no data of its own', async () => {
    const { pond, server } = await setup({
      config: (url) => config(url, 'archive_path: /seed\n'),
    });
    const { Table, TimestampSecond, vectorFromArray } = await import('apache-arrow');
    for (const [id, last] of [
      [DOCK, T0 + 600],
      [BUOY, T0 + 60],
    ] as const) {
      const t = vectorFromArray([(T0 - 300) * 1000, last * 1000], new TimestampSecond('+00:00'));
      await pond.transaction(async (tx) => {
        await tx.mkdir(`/seed/devices/${id}`, { parents: true });
        await tx.write(
          `/seed/devices/${id}/old.series`,
          new Table({ timestamp: t, v: vectorFromArray([1, 2]) }),
          {
            entryType: EntryType.TablePhysicalSeries,
          },
        );
      });
    }
    await pond.run('/etc/hydrovu', ['collect']);
    expect(server.startTimes(DOCK)).toEqual([T0 + 601]);
    expect((await rows(pond, SERIES)).map((r) => r.timestamp)).toEqual([
      (T0 + 900) * 1000,
      (T0 + 1200) * 1000,
    ]);
  });

  it('refuses to crawl from the epoch when the archive has nothing for a device', async () => {
    const { pond, server } = await setup({
      config: (url) => config(url, 'archive_path: /seed\n'),
    });
    const err = await rejection(pond.run('/etc/hydrovu', ['collect']));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.path).toBe(`/seed/devices/${DOCK}`);
    expect(server.startTimes(DOCK)).toEqual([]);
  });
});

describe('hydrovu archive and list-devices', () => {
  it('archives the active series by date; collect then resumes from the archive', async () => {
    const now = new Date('2024-01-02T03:04:05Z');
    const { pond, server, data, out } = await setup({ now });
    await pond.run('/etc/hydrovu', ['collect']);
    data[DOCK]?.[0]?.readings.push(...every300(1, 60, T0 + 1500));
    await pond.run('/etc/hydrovu', ['collect']);
    await pond.run('/etc/hydrovu', ['archive', '--device', 'DockVulink'], {
      out: (t) => out.push(t),
    });
    const archived = `/hydrovu/devices/${DOCK}/DockVulink_archive_20240102.series`;
    expect((await pond.list(`/hydrovu/devices/${DOCK}/*`)).map((e) => e.path)).toEqual([archived]);
    expect((await pond.versions(archived)).map((v) => v.rows)).toEqual([6]);
    expect((await rows(pond, archived)).map((r) => r['Temperature.C'])).toEqual([
      12, 13, 14, 15, 16, 60,
    ]);
    expect(out.join('')).toContain(`pond copy '${archived}' host:///DEST${archived}`);
    // Buoy was not named: still active.
    expect((await pond.versions(BUOY_SERIES)).length).toBe(1);
    // The archive keeps the stored types, so it reads together with later versions.
    const types = await pond.sql(`SELECT arrow_typeof(timestamp) AS t FROM '${archived}' LIMIT 1`);
    expect(types.getChildAt(0)?.get(0)).toBe('Timestamp(s, "+00:00")');
    data[DOCK]?.[0]?.readings.push(...every300(1, 70, T0 + 1800));
    await pond.run('/etc/hydrovu', ['collect']);
    expect(server.startTimes(DOCK).at(-1)).toBe(T0 + 1501);
    const both = await pond.sql(
      `SELECT count(*) AS n FROM 'series:///hydrovu/devices/${DOCK}/*.series'`,
    );
    expect(Number(both.getChildAt(0)?.get(0))).toBe(7);
    // An archive of today's date is there: a second archive skips the device.
    await pond.run('/etc/hydrovu', ['archive']);
    expect((await pond.list(`/hydrovu/devices/${DOCK}/*`)).length).toBe(2);
    const err = await rejection(pond.run('/etc/hydrovu', ['archive', '--device', 'Nope']));
    expect(err.code).toBe('INVALID_ARGUMENT');
  });

  it('list-devices shows each device with its newest collected time', async () => {
    const { pond } = await setup();
    await pond.run('/etc/hydrovu', ['collect']);
    const out: string[] = [];
    await pond.run('/etc/hydrovu', ['list-devices'], { out: (t) => out.push(t) });
    const lines = out.join('').trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ID\s+ACTIVE\s+NEWEST\s+DIRECTORY\s+COMMENT$/);
    expect(lines[1]).toMatch(
      /^DockVulink\s+6582334\s+yes\s+2023-11-14T22:35:00Z\s+\/hydrovu\/devices\/6582334$/,
    );
    expect(lines[2]).toMatch(
      /^SpareAT500\s+6582999\s+no\s+-\s+\/hydrovu\/devices\/6582999\s+in the shop$/,
    );
  });
});

describe('hydrovu after commits', () => {
  it('a node under /system/run collects after each commit (push)', async () => {
    const { pond, text } = await setup();
    await pond.transaction(async (tx) => {
      await tx.mkdir('/system/run', { parents: true });
      await tx.mknod('/system/run/20-hydrovu', 'hydrovu', text);
    });
    expect((await rows(pond, SERIES)).length).toBe(5);
    const last = (await pond.transactions()).at(-1);
    expect([last?.kind, last?.status]).toEqual(['post-commit', 'COMMITTED']);
  });
});

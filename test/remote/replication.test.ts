// SPDX-License-Identifier: Apache-2.0
// Backups, restore, verify and imports, the same suite on a directory (file://) and on a
// real S3-compatible server on loopback (moto, s3://).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { pond, readingsSql, tempDir, writeParquet } from '../helpers.js';
import { relay, S3_ENV, S3_OPTIONS, type S3Server, startS3 } from './s3-server.js';

const env = { ...process.env, ...S3_ENV };
const DIE = join(import.meta.dirname, '..', 'fixtures', 'push-and-die.mjs');

/** Run the push-and-die fixture; resolves when the process has gone. */
function runFixture(
  pondDir: string,
  point: string,
): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIE, pondDir, 'b', point], {
      env: { ...process.env, ...S3_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`fixture exited ${code}: ${stderr}`));
      else resolve({ stdout, signal });
    });
  });
}
let s3: S3Server;
let buckets = 0;

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});

interface Backend {
  readonly name: string;
  /** A new, empty remote location and the CLI options that reach it. */
  location(
    dir: string,
  ): Promise<{ url: string; flags: string[]; options: Record<string, unknown> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'file',
    location: async (dir) => ({
      url: `file://${join(dir, `remote-${buckets++}`)}`,
      flags: [],
      options: {},
    }),
  },
  {
    name: 's3',
    location: async () => {
      const bucket = `pond-test-${buckets++}`;
      await s3.bucket(bucket);
      const options = { ...S3_OPTIONS, endpoint: s3.endpoint };
      const flags = [
        '--endpoint',
        s3.endpoint,
        '--allow-http',
        '--region',
        S3_OPTIONS.region,
        '--access-key-id',
        S3_OPTIONS.access_key_id,
        '--secret-access-key',
        S3_OPTIONS.secret_access_key,
      ];
      return { url: `s3://${bucket}/ponds/site`, flags, options };
    },
  },
];

/** Run pond with the S3 credentials in the environment. */
async function run(p: string | undefined, ...args: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, S3_ENV);
  try {
    return await pond(p, ...args);
  } finally {
    for (const k of Object.keys(S3_ENV)) if (!(k in saved)) delete process.env[k];
  }
}
async function ok(p: string | undefined, ...args: string[]) {
  const r = await run(p, ...args);
  if (r.code !== 0) throw new Error(`pond ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** A pond with files, a large file, a 20-version series, a derived view and a rollup. */
async function fixture(dir: string): Promise<string> {
  const path = join(dir, 'source');
  const p = await Pond.create(path, { env });
  const host = join(dir, 'host');
  await mkdir(host, { recursive: true });
  await p.transaction(async (tx) => {
    await tx.mkdir('/docs/sub', { parents: true });
    await tx.write('/docs/a.txt', 'alpha\n');
    await tx.write('/docs/sub/big.bin', randomBytes(300_000));
    await tx.mkdir('/sensors');
  });
  for (let i = 0; i < 20; i++) {
    const file = join(host, `v${i}.parquet`);
    await writeParquet(
      file,
      readingsSql(`2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`, 24, i * 24),
    );
    await p.transaction((tx) =>
      tx.copyIn(file, '/sensors/well.series', { entryType: EntryType.TablePhysicalSeries }),
    );
  }
  await p.transaction(async (tx) => {
    await tx
      .mknod(
        '/views/n.series',
        'sql-derived-series',
        'patterns:\n  s: /sensors/well.series\nquery: SELECT timestamp, n FROM s WHERE n % 2 = 0\n',
      )
      .catch(async () => {
        await tx.mkdir('/views');
        await tx.mknod(
          '/views/n.series',
          'sql-derived-series',
          'patterns:\n  s: /sensors/well.series\nquery: SELECT timestamp, n FROM s WHERE n % 2 = 0\n',
        );
      });
    await tx.mknod(
      '/rollups',
      'temporal-reduce',
      'in_pattern: /sensors/*.series\nout_pattern: $0\nresolutions: [1d]\naggregations: [{type: avg, columns: [value]}]\n',
    );
  });
  return path;
}

const QUERIES = [
  "SELECT count(*) AS n, sum(n) AS s FROM '/sensors/well.series'",
  "SELECT count(*) AS n FROM '/views/n.series'",
  "SELECT count(*) AS n FROM '/rollups/well/res=1d.series'",
];

async function snapshot(p: string) {
  const fsck = (await ok(p, 'fsck')).stdout;
  const checksum = /Root checksum: (\w+)/.exec(fsck)?.[1];
  const listing = (await ok(p, 'list', '-l', '/**')).stdout;
  const results = [];
  for (const q of QUERIES) results.push((await ok(p, 'sql', q)).stdout);
  const log = (await ok(p, 'log', '--format', 'json')).stdout;
  return { checksum, listing, results, log };
}

describe.each(BACKENDS)('replication over $name', (backend) => {
  it('round trip: backup, restore into an empty directory, same checksum, listing, queries and log', async () => {
    const dir = await tempDir();
    const source = await fixture(dir);
    const { url, flags } = await backend.location(dir);
    await ok(source, 'backup', 'add', 'site', url, ...flags);
    const pushed = (await ok(source, 'push', 'site')).stdout;
    expect(pushed).toMatch(/^site: pushed transaction \d+: \d+ files changed/);
    const restored = join(dir, 'restored');
    await ok(restored, 'restore', url, ...flags);
    const [a, b] = [await snapshot(source), await snapshot(restored)];
    expect(b).toEqual(a);
    expect(a.checksum).toMatch(/^[0-9a-f]{64}$/);

    // push mode: the next commit reaches the backup with no command
    await writeFile(join(dir, 'more.txt'), 'more');
    await ok(source, 'copy', `host://${dir}/more.txt`, '/docs/more.txt');
    expect((await ok(source, 'verify', 'site')).stdout).toMatch(/^\[OK\] remote site: up to date/);
    expect((await ok(source, 'status')).stdout).toMatch(/Backup site: .*, up to date/);
    const again = join(dir, 'again');
    await ok(again, 'restore', url, ...flags);
    expect((await ok(again, 'cat', '/docs/more.txt')).stdout).toBe('more');
  });

  it('a push after one small commit sends only that commit; an up-to-date push sends nothing', async () => {
    const dir = await tempDir();
    const source = await fixture(dir);
    const { url, flags } = await backend.location(dir);
    await ok(source, 'backup', 'add', 'b', url, ...flags);
    const lib = await Pond.open(source, { env });
    const [first] = await lib.push('b');
    expect(first?.upToDate).toBe(false);
    const [idle] = await lib.push('b');
    expect(idle).toMatchObject({ upToDate: true, objects: 0, bytes: 0 });
    await ok(source, 'config', 'set', 'factory.copy-out.mode', 'pull'); // a setting only
    await lib.transaction((tx) => tx.write('/docs/one-kb.txt', 'x'.repeat(1024)));
    // the commit's auto-push already sent it
    const [after] = await lib.push('b');
    expect(after?.upToDate).toBe(true);
    const verify = await lib.verify('b');
    expect(verify[0]?.status).toBe('up to date');
    expect(first?.bytes ?? 0).toBeGreaterThan(300_000);
  });

  it('refuses another pond and literal secrets', async () => {
    const dir = await tempDir();
    const { url, flags } = await backend.location(dir);
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await ok(a, 'init');
    await ok(b, 'init');
    await ok(a, 'backup', 'add', 'x', url, ...flags);
    await ok(a, 'push', 'x');
    const other = await run(b, 'backup', 'add', 'x', url, ...flags);
    expect(other.stderr).toMatch(/INVALID_ARGUMENT.*belongs to pond/);
    const literal = await run(b, 'backup', 'add', 'y', url, '--secret-access-key', 'hunter2');
    expect(literal.stderr).toMatch(/INVALID_ARGUMENT.*\$\{env:VAR\}/);
    expect(literal.stderr).not.toContain('hunter2');
    expect((await ok(b, 'backup', 'list')).stdout).toBe('');
    // what is stored and shown names the variables, never their values
    for (const out of [
      (await ok(a, 'config')).stdout,
      (await ok(a, 'log', '--all')).stdout,
      (await ok(a, 'backup', 'list', '--format', 'json')).stdout,
      (await ok(a, 'status')).stdout,
    ]) {
      expect(out).not.toContain(S3_ENV.POND_TEST_S3_SECRET);
    }
  });

  it('imports another pond read-only, joins across ponds, and pulls only what is new', async () => {
    const dir = await tempDir();
    const host = join(dir, 'host');
    await mkdir(host);
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    for (const p of [a, b]) {
      await ok(p, 'init');
      await ok(p, 'mkdir', '/s');
    }
    for (const [p, offset] of [
      [a, 0],
      [b, 1000],
    ] as const) {
      const file = join(host, `${offset}.parquet`);
      await writeParquet(file, readingsSql('2024-01-01T00:00:00Z', 10, offset));
      await ok(p, 'copy', `host+series://${file}`, '/s/level.series');
    }
    const { url, flags } = await backend.location(dir);
    // content from elsewhere reaches no host path and no environment value here
    await writeFile(join(host, 'etc.yaml'), 'directory: /etc\n');
    await ok(b, 'mknod', 'hostmount', '/etc-view', join(host, 'etc.yaml'));
    await ok(b, 'backup', 'add', 'origin', url, ...flags);
    await ok(b, 'push');
    await ok(a, 'remote', 'add', 'site-b', url, '/imports/b', ...flags);
    expect((await ok(a, 'pull', 'site-b')).stdout).toMatch(/: 0 files/);
    expect((await ok(a, 'list', '/imports/b/**')).stdout).toContain('/imports/b/s/level.series');
    const joinCfg = join(host, 'join.yaml');
    await writeFile(
      joinCfg,
      'inputs:\n  - {pattern: /s/level.series, scope: A}\n  - {pattern: /imports/b/s/level.series, scope: B}\n',
    );
    await ok(a, 'mknod', 'timeseries-join', '/joined.series', joinCfg);
    const joined = (
      await ok(
        a,
        'sql',
        `SELECT count(*) AS n, sum("A.n") AS a, sum("B.n") AS b FROM '/joined.series'`,
      )
    ).stdout;
    expect(joined).toBe('n,a,b\n10,45,10045\n');
    const reduceCfg = join(host, 'reduce.yaml');
    await writeFile(
      reduceCfg,
      'in_pattern: /imports/b/s/*.series\nout_pattern: $0\nresolutions: [1h]\naggregations: [{type: max, columns: [n]}]\n',
    );
    await ok(a, 'mknod', 'temporal-reduce', '/rollups', reduceCfg);
    expect(
      (await ok(a, 'sql', "SELECT count(*) AS n FROM '/rollups/level/res=1h.series'")).stdout,
    ).toBe('n\n1\n');
    expect((await ok(b, 'list', '/etc-view/hostname')).stdout).toContain('/etc-view/hostname');
    const leak = await run(a, 'list', '/imports/b/etc-view/hostname');
    expect(leak.stdout).not.toContain('hostname');
    const write = await run(a, 'mkdir', '/imports/b/new');
    expect(write.stderr).toMatch(/READ_ONLY/);
    expect((await run(a, 'rm', '/imports/b/s/level.series')).stderr).toMatch(/READ_ONLY/);

    const more = join(host, 'more.parquet');
    await writeParquet(more, readingsSql('2024-01-02T00:00:00Z', 5, 2000));
    await ok(b, 'copy', `host+series://${more}`, '/s/level.series');
    expect((await run(a, 'verify', 'site-b')).stderr).toMatch(/OUT_OF_SYNC/);
    const pulled = (await ok(a, 'pull', 'site-b')).stdout;
    const files = Number(/: (\d+) files/.exec(pulled)?.[1]);
    expect(files).toBeGreaterThan(0);
    expect(files).toBeLessThan(12);
    expect(
      (await ok(a, 'sql', "SELECT count(*) AS n FROM '/imports/b/s/level.series'")).stdout,
    ).toBe('n\n15\n');
    expect((await ok(a, 'verify', 'site-b')).stdout).toMatch(/\[OK\]/);
  });

  it('names a corrupt remote object in verify, and restore refuses it, leaving nothing', async () => {
    const dir = await tempDir();
    const source = join(dir, 'source');
    await ok(source, 'init');
    await writeFile(join(dir, 'big.bin'), randomBytes(200_000));
    await ok(source, 'copy', `host://${dir}/big.bin`, '/big.bin');
    const { url, flags, options } = await backend.location(dir);
    await ok(source, 'backup', 'add', 'b', url, ...flags);
    await ok(source, 'push');
    const { ObjectStoreHandle } = await import('../../ts/native/remote.js');
    const { expandOptions } = await import('../../ts/remote/config.js');
    const handle = ObjectStoreHandle.open(
      url,
      expandOptions({ name: 'b', url, mode: 'push', mount: null, options }, env),
    );
    const objects = (await handle.list('objects')).filter((o) => o.size === 200_000);
    expect(objects).toHaveLength(1);
    const key = objects[0]?.key as string;
    const bytes = (await handle.getBytes(key)) as Buffer;
    bytes[1000] = (bytes[1000] as number) ^ 0xff;
    await handle.putBytes(key, bytes);
    const verify = await run(source, 'verify', 'b');
    expect(verify.code).not.toBe(0);
    expect(verify.stderr).toMatch(/CORRUPT/);
    expect(verify.stdout).toContain(key);
    expect((await run(source, 'verify', 'b', '--quick')).code).toBe(0);
    const target = join(dir, 'restored');
    const restore = await run(target, 'restore', url, ...flags);
    expect(restore.stderr).toMatch(/CORRUPT.*is corrupt/);
    expect((await run(target, 'list')).code).not.toBe(0);
  });

  it('a push killed at any point leaves the previous tip restorable; the next push completes it', async () => {
    const dir = await tempDir();
    const source = join(dir, 'source');
    await ok(source, 'init');
    const { url, flags } = await backend.location(dir);
    await ok(source, 'backup', 'add', 'b', url, ...flags);
    await ok(source, 'push');
    const points = ['object:1', 'object:3', 'record'];
    for (const [i, point] of points.entries()) {
      // a commit made while the backup is unreachable: recorded, pushed later
      await ok(source, 'backup', 'remove', 'b');
      await writeFile(join(dir, `f${i}.bin`), randomBytes(100_000 + i));
      await ok(source, 'copy', `host://${dir}/f${i}.bin`, `/f${i}.bin`);
      await ok(source, 'mkdir', `/d${i}`);
      await ok(source, 'backup', 'add', 'b', url, ...flags);
      const died = await runFixture(source, point);
      expect(died.stdout).toBe('dying\n');
      expect(died.signal).toBe('SIGKILL');
      const partial = join(dir, `partial-${i}`);
      await ok(partial, 'restore', url, ...flags);
      const listed = (await ok(partial, 'list', '/**')).stdout;
      expect(listed).toContain(i === 0 ? '' : `/f${i - 1}.bin`);
      expect(listed).not.toContain(`/f${i}.bin`);
      expect((await ok(partial, 'fsck')).stdout).toContain('Result: OK');
      expect((await run(source, 'verify', 'b')).stderr).toMatch(/OUT_OF_SYNC/);
      await ok(source, 'push', 'b');
      expect((await ok(source, 'verify', 'b')).stdout).toMatch(/\[OK\]/);
    }
  });
});

describe('an unreachable backup', () => {
  async function outageTest(
    location: { url: string; flags: string[] },
    down: () => Promise<void>,
    up: () => Promise<void>,
  ) {
    const dir = await tempDir();
    const source = join(dir, 'source');
    await ok(source, 'init');
    await ok(source, 'backup', 'add', 'b', location.url, ...location.flags);
    await ok(source, 'push');
    await down();
    const commit = await run(source, 'mkdir', '/during-outage');
    expect(commit.code).toBe(0);
    expect(commit.stderr).toMatch(
      /push to b after transaction \d+ failed \(recorded in pond log\)/,
    );
    expect((await ok(source, 'list', '/**')).stdout).toContain('/during-outage');
    const log = (await ok(source, 'log')).stdout;
    expect(log).toMatch(/FAILED .*post-commit after \d+: pond push b/);
    expect((await ok(source, 'status')).stdout).toMatch(/Backup b: .*behind by 1 transaction/);
    await up();
    await ok(source, 'push', 'b');
    expect((await ok(source, 'verify', 'b')).stdout).toMatch(/\[OK\]/);
    const restored = join(dir, 'restored');
    await ok(restored, 'restore', location.url, ...location.flags);
    expect((await ok(restored, 'list', '/**')).stdout).toContain('/during-outage');
  }

  it('on S3: the server goes away, the commit stands, the failure is logged, the next push catches up', async () => {
    const gate = await relay(s3.endpoint);
    try {
      const bucket = `pond-outage-${buckets++}`;
      await s3.bucket(bucket);
      const flags = [
        '--endpoint',
        gate.endpoint,
        '--allow-http',
        '--access-key-id',
        S3_OPTIONS.access_key_id,
        '--secret-access-key',
        S3_OPTIONS.secret_access_key,
      ];
      await outageTest({ url: `s3://${bucket}/p`, flags }, gate.down, gate.up);
    } finally {
      await gate.close();
    }
  });

  it('on a directory: the remote path becomes unusable, then comes back', async () => {
    const dir = await tempDir();
    const path = join(dir, 'remote');
    const away = join(dir, 'remote.away');
    await outageTest(
      { url: `file://${path}`, flags: [] },
      async () => {
        await rename(path, away);
        await writeFile(path, 'not a directory');
      },
      async () => {
        await rm(path);
        await rename(away, path);
      },
    );
  });
});

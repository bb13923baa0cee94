// SPDX-License-Identifier: Apache-2.0
// Backups (issue: replication), on a directory (file://) and on a loopback S3 server (moto
// from scripts/python-tools.sh):
//  1. incremental push: a pond of N transactions (default 1,000) pushed once, then one
//     commit of a 1 KB file, which the commit's own push sends: objects and bytes it added
//     to the remote (listed before and after), against the whole pond's;
//  2. throughput: a pond of about SIZE MB (default 200; large files and a series) pushed,
//     then restored into an empty directory: MB/s of each, and the restore's root checksum
//     compared with the source's.
// Run: npm run build && node bench/remote.mjs [TRANSACTIONS] [SIZE_MB]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Pond } from '../dist/index.js';
import { ObjectStoreHandle } from '../dist/native/remote.js';
import { expandOptions } from '../dist/remote/config.js';

const N = Number(process.argv[2] ?? 1000);
const SIZE_MB = Number(process.argv[3] ?? 200);
const REPO = join(import.meta.dirname, '..');
const env = { ...process.env, BENCH_S3_KEY: 'bench', BENCH_S3_SECRET: 'bench-secret' };
const dir = await mkdtemp(join(tmpdir(), 'pond-bench-remote-'));

async function startMoto() {
  const python = execFileSync('bash', [join(REPO, 'scripts', 'python-tools.sh')], {
    encoding: 'utf8',
  }).trim();
  const child = spawn(join(dirname(python), 'moto_server'), ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise((resolve, reject) => {
    let seen = '';
    const look = (c) => {
      seen += c;
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('exit', (code) => reject(new Error(`moto_server exited ${code}`)));
  });
  return { endpoint, stop: () => child.kill('SIGTERM') };
}

const moto = await startMoto();
let buckets = 0;
async function location(kind) {
  if (kind === 'file') return { url: `file://${join(dir, `remote-${buckets++}`)}`, options: {} };
  const bucket = `bench-${buckets++}`;
  await fetch(`${moto.endpoint}/${bucket}`, { method: 'PUT' });
  return {
    url: `s3://${bucket}/pond`,
    options: {
      endpoint: moto.endpoint,
      allow_http: true,
      access_key_id: '${env:BENCH_S3_KEY}',
      secret_access_key: '${env:BENCH_S3_SECRET}',
    },
  };
}

async function remoteSize({ url, options }) {
  const handle = ObjectStoreHandle.open(
    url,
    expandOptions({ name: 'x', url, mode: 'push', mount: null, options }, env),
  );
  const objects = await handle.list('');
  return { objects: objects.length, bytes: objects.reduce((n, o) => n + o.size, 0) };
}

const mb = (bytes) => bytes / 1024 / 1024;
const rows = [];
try {
  // 1. incremental push
  const history = join(dir, 'history');
  const pond = await Pond.create(history, { env });
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    await pond.transaction(async (tx) => {
      const d = `/d${i % 20}`;
      if (i < 20) await tx.mkdir(d);
      await tx.write(`${d}/f${i}.txt`, `file ${i}\n`);
    });
  }
  const buildMs = Date.now() - t0;
  for (const kind of ['file', 's3']) {
    const loc = await location(kind);
    await pond.addBackup(`b-${kind}`, loc.url, loc.options);
    const started = Date.now();
    await pond.push(`b-${kind}`);
    const fullMs = Date.now() - started;
    const before = await remoteSize(loc);
    const commitStarted = Date.now();
    await pond.transaction((tx) => tx.write('/one-kb.txt', 'x'.repeat(1024)));
    const commitMs = Date.now() - commitStarted;
    const after = await remoteSize(loc);
    await pond.removeRemote(`b-${kind}`);
    rows.push(
      `${kind.padEnd(4)}  incremental push of 1 KB into ${N} txns: +${after.objects - before.objects} objects, +${((after.bytes - before.bytes) / 1024).toFixed(1)} KiB ` +
        `(whole pond: ${before.objects} objects, ${mb(before.bytes).toFixed(1)} MiB, first push ${fullMs} ms; commit with its push ${commitMs} ms)`,
    );
  }
  rows.push(
    `      (building the ${N}-transaction pond: ${(buildMs / N).toFixed(1)} ms per transaction)`,
  );

  // 2. throughput
  const big = join(dir, 'big');
  const source = await Pond.create(big, { env });
  const files = Math.max(1, Math.round(SIZE_MB / 25));
  await source.transaction((tx) => tx.mkdir('/large'));
  for (let i = 0; i < files; i++) {
    await source.transaction((tx) => tx.write(`/large/f${i}.bin`, randomBytes(25 * 1024 * 1024)));
  }
  const total = (await remoteSize({ url: `file://${big}/data/_large_files`, options: {} })).bytes;
  const checksum = (await source.fsck({ quick: true })).rootChecksum;
  for (const kind of ['file', 's3']) {
    const loc = await location(kind);
    await source.addBackup(`t-${kind}`, loc.url, loc.options);
    const p0 = Date.now();
    await source.push(`t-${kind}`);
    const pushMs = Date.now() - p0;
    const target = join(dir, `restored-${kind}`);
    const r0 = Date.now();
    const restored = await Pond.restore(loc.url, target, { options: loc.options, env });
    const restoreMs = Date.now() - r0;
    const same = (await restored.fsck({ quick: true })).rootChecksum === checksum;
    await source.removeRemote(`t-${kind}`);
    rows.push(
      `${kind.padEnd(4)}  ${mb(total).toFixed(0)} MiB pond: push ${(mb(total) / (pushMs / 1000)).toFixed(1)} MB/s (${pushMs} ms), restore ${(mb(total) / (restoreMs / 1000)).toFixed(1)} MB/s (${restoreMs} ms), same root checksum: ${same}`,
    );
  }
  console.log('== bench/remote.mjs');
  for (const r of rows) console.log(r);
} finally {
  moto.stop();
  await rm(dir, { recursive: true, force: true });
}

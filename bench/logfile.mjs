// SPDX-License-Identifier: Apache-2.0
// logfile-ingest of a generated 1 GiB log: wall time, MB/s and peak RSS of the `pond`
// process doing the work (its own `process.resourceUsage().maxRSS`, via rss-report.mjs),
// against `pond copy host:///log` of the same file in the same run as the baseline. Then an
// incremental run after 64 MiB more (the whole prefix is re-hashed, the new bytes stored)
// and a run with nothing new (the prefix check alone).
// Run: npm run build && node bench/logfile.mjs [MiB]  (default 1024)
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'pond.js');
const RSS = join(import.meta.dirname, 'rss-report.mjs');
const MIB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 1024);
const dir = await mkdtemp(join(tmpdir(), 'pond-bench-logfile-'));
const pondDir = join(dir, 'pond');
const log = join(dir, 'logs', 'app.log');
const env = { ...process.env, POND: pondDir };

function pond(...args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS, BIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * MIB,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`pond ${args.join(' ')}: ${r.stderr}`);
  const kb = Number(/max_rss_kb=(\d+)/.exec(r.stderr.toString())?.[1] ?? Number.NaN);
  return { ms, rssMiB: kb / 1024, stdout: r.stdout.toString() };
}

/** `mib` MiB of access-log lines. */
async function writeLog(path, mib, from = 0) {
  const file = await open(path, from === 0 ? 'w' : 'a');
  let n = from;
  try {
    for (let written = 0; written < mib * MIB; ) {
      const lines = [];
      let bytes = 0;
      while (bytes < 4 * MIB) {
        const line = `2026-12-08T00:${String(n % 60).padStart(2, '0')}:00.${String(n % 1000).padStart(3, '0')}Z web-1 nginx[812]: 10.0.${n % 256}.${(n >> 8) % 256} "GET /api/items/${n} HTTP/1.1" 200 ${n % 9000} ${(n % 250) / 10}ms\n`;
        lines.push(line);
        bytes += line.length;
        n++;
      }
      const chunk = lines.join('');
      await file.write(chunk);
      written += chunk.length;
    }
  } finally {
    await file.close();
  }
  return n;
}

const mbps = (bytes, ms) => (bytes / MIB / (ms / 1000)).toFixed(0);

try {
  await mkdir(join(dir, 'logs'));
  const lines = await writeLog(log, sizeMiB);
  const size = (await stat(log)).size;
  pond('init');
  const cfg = join(dir, 'ingest.yaml');
  await writeFile(
    cfg,
    `archived_pattern: ${join(dir, 'logs', 'app.log-*')}\nactive_pattern: ${log}\npond_path: /logs\n`,
  );
  pond('mknod', 'logfile-ingest', '/ingest', '--config-path', cfg);

  const copy = pond('copy', `host://${log}`, '/copy.log');
  const first = pond('run', '/ingest');
  const more = 64;
  await writeLog(log, more, lines);
  const grown = (await stat(log)).size;
  const incremental = pond('run', '/ingest');
  const idle = pond('run', '/ingest');
  const check = pond('run', '/ingest', 'b3sum');

  const row = (label, r, bytes) =>
    `  ${label.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${bytes === null ? '      -' : `${mbps(bytes, r.ms).padStart(5)} MB/s`}  peak RSS ${r.rssMiB.toFixed(0).padStart(4)} MiB`;
  console.log(`logfile-ingest, a ${(size / MIB).toFixed(0)} MiB log (${dir})`);
  console.log(row('pond copy host:///app.log (baseline)', copy, size));
  console.log(row('logfile-ingest, first run', first, size));
  console.log(row(`logfile-ingest, +${more} MiB`, incremental, grown - size));
  console.log(row('logfile-ingest, nothing new', idle, null));
  console.log(row('logfile-ingest b3sum (2 versions)', check, grown));
  console.log(
    `  first run vs copy: ${(first.ms / copy.ms).toFixed(2)}x time, ${(first.rssMiB / copy.rssMiB).toFixed(2)}x peak RSS`,
  );
  console.log(`  output: ${first.stdout.trim()} | ${incremental.stdout.trim()}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

// SPDX-License-Identifier: Apache-2.0
// Figures for the storage basics: CLI start-up (`pond --help`, `pond list /` on a small pond,
// `pond sql 'SELECT 1'`; medians of 10 processes against `node -e 0`), and copy-in/out
// throughput of a 100 MB file, against plain `cp` of the same file as the baseline.
// Run: npm run build && node bench/basics.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'pond.js');
const dir = await mkdtemp(join(tmpdir(), 'pond-bench-'));
const pondDir = join(dir, 'pond');
const env = { ...process.env, POND: pondDir };

function pond(...args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`pond ${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function timed(fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

try {
  pond('init');
  for (let i = 0; i < 10; i++) pond('mkdir', '-p', `/site${i}/raw`);
  const runs = 10;
  const noop = median(
    Array.from({ length: runs }, () => timed(() => execFileSync(process.execPath, ['-e', '0']))),
  );
  const startup = [
    ['pond --help', ['--help'], 80],
    ['pond list / (21 dirs)', ['list', '/'], 150],
    ["pond sql 'SELECT 1'", ['sql', 'SELECT 1'], 200],
  ].map(([label, args, target]) => {
    const ms = median(Array.from({ length: runs }, () => pond(...args)));
    return { label, ms, target };
  });

  const size = 100 * 1024 * 1024;
  const big = join(dir, 'big.bin');
  await writeFile(big, randomBytes(size));
  const cpMs = timed(() => execFileSync('cp', [big, join(dir, 'copy.bin')]));
  const inMs = pond('copy', `host://${big}`, '/big');
  const outMs = pond('copy', '/big', `host://${join(dir, 'out')}`);
  const mbps = (ms) => (size / 1024 / 1024 / (ms / 1000)).toFixed(0);

  console.log(
    `CLI start-up, medians of ${runs} processes (baseline: node -e 0 ${noop.toFixed(0)} ms)`,
  );
  for (const { label, ms, target } of startup) {
    const over = (ms - noop).toFixed(0);
    console.log(
      `  ${label.padEnd(24)} ${ms.toFixed(0).padStart(4)} ms  (+${over} ms over node, ${(ms / noop).toFixed(2)}x; target ${target} ms)`,
    );
  }
  console.log(
    `copy 100 MB in:   ${inMs.toFixed(0)} ms = ${mbps(inMs)} MB/s (process start included)`,
  );
  console.log(`copy 100 MB out:  ${outMs.toFixed(0)} ms = ${mbps(outMs)} MB/s`);
  console.log(
    `  baseline: cp    ${cpMs.toFixed(0)} ms = ${mbps(cpMs)} MB/s; in/cp ratio ${(inMs / cpMs).toFixed(1)}x`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

// SPDX-License-Identifier: Apache-2.0
// Long histories (issue: steward): a pond with N write transactions (default 2,000; each
// one small file into one of 20 directories), then `pond list '/**'`, `pond log --limit 10`
// and opening the pond, timed before and after `pond maintain --compact`; opening is also
// timed on a pond with N/10 transactions, so the ratio shows whether opening grows with
// history. Every pond command is a fresh process (medians of 5).
// Run: npm run build && node bench/maintain.mjs [TRANSACTIONS]
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pond } from '../dist/index.js';

const N = Number(process.argv[2] ?? 2000);
const BIN = join(import.meta.dirname, '..', 'bin', 'pond.js');
const OPEN = join(import.meta.dirname, 'open-pond.mjs');
const dir = await mkdtemp(join(tmpdir(), 'pond-bench-maintain-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args, pondDir) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    env: { ...process.env, POND: pondDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: r.stdout.toString() };
}

const pondCmd = (pondDir, ...args) => timed([BIN, ...args], pondDir);
const med = (fn) => median(Array.from({ length: 5 }, () => fn().ms));

async function build(pondDir, count) {
  const pond = await Pond.create(pondDir);
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    await pond.transaction(
      async (tx) => {
        const d = `/d${String(i % 20).padStart(2, '0')}`;
        if (i < 20) await tx.mkdir(d);
        await tx.write(`${d}/f${i}.txt`, `file ${i}\n`);
      },
      { args: ['bench', String(i)] },
    );
  }
  return (Date.now() - started) / count;
}

function measure(pondDir) {
  return {
    open: med(() => timed([OPEN, pondDir], pondDir)),
    list: med(() => pondCmd(pondDir, 'list', '/**')),
    log: med(() => pondCmd(pondDir, 'log', '--limit', '10')),
  };
}

try {
  const small = join(dir, 'small');
  const big = join(dir, 'big');
  await build(small, N / 10);
  const perTxn = await build(big, N);
  const listed = pondCmd(big, 'list', '/**').stdout.trim().split('\n').length;
  const before = { small: measure(small), big: measure(big) };
  const maintained = pondCmd(big, 'maintain', '--compact', '--retention', '0');
  pondCmd(small, 'maintain', '--compact', '--retention', '0');
  const after = { small: measure(small), big: measure(big) };
  const row = (name, b, a) =>
    `  ${name.padEnd(26)} ${b.toFixed(0).padStart(6)} ms  ${a.toFixed(0).padStart(6)} ms  (${(a / b).toFixed(2)}x)`;
  console.log(
    `pond with ${N} write transactions (${listed} entries), ${perTxn.toFixed(1)} ms per transaction to build`,
  );
  console.log(`maintain --compact: ${maintained.ms.toFixed(0)} ms`);
  for (const line of maintained.stdout.trim().split('\n')) console.log(`  ${line}`);
  console.log('                             before     after maintain');
  console.log(row(`open (${N} txns)`, before.big.open, after.big.open));
  console.log(row(`open (${N / 10} txns)`, before.small.open, after.small.open));
  console.log(row("list '/**'", before.big.list, after.big.list));
  console.log(row('log --limit 10', before.big.log, after.big.log));
  console.log(
    `  open, ${N} vs ${N / 10} txns: ${(before.big.open / before.small.open).toFixed(2)}x before maintain, ${(after.big.open / after.small.open).toFixed(2)}x after (10x = linear)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

// SPDX-License-Identifier: Apache-2.0
// Crash safety: writer processes are killed (SIGKILL) at random points while they run write
// transactions of every kind; after each kill the pond must open, hold every transaction
// that reported success, hold no transaction in part, and pass fsck.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pond } from '../../ts/index.js';
import { fsck } from '../../ts/steward/fsck.js';
import { Steward } from '../../ts/steward/steward.js';
import { contentOf, KINDS, pathsOf } from '../fixtures/crash-plan.mjs';
import { pondOk, tempDir } from '../helpers.js';

const WRITER = join(import.meta.dirname, '..', 'fixtures', 'crash-writer.mjs');
const MIN_KILLS = 40;
const MIN_COMMITTED = 200;

/** A deterministic generator, so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Run a writer from `first` until it has reported `commits` transactions, then kill it
 * `delayMs` later (so at a random point of what it does next); the i it reported. What the
 * test counts is driven by the writer's reports, so a slow machine makes it slower, never
 * failing: the delay only varies where the kill lands.
 */
async function runAndKill(
  pond: string,
  first: number,
  commits: number,
  delayMs: number,
): Promise<number[]> {
  const child: ChildProcess = spawn(process.execPath, [WRITER, pond, String(first)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ok: number[] = [];
  let stderr = '';
  let buffer = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^ok (\d+) /.exec(line);
        if (m) ok.push(Number(m[1]));
        if ((line === 'ready' && commits === 0) || (m && ok.length === commits)) {
          setTimeout(resolve, delayMs);
        }
      }
    });
    child.on('exit', () => reject(new Error(`writer exited before the kill: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return ok;
}

/**
 * Check the pond after a kill: every transaction below `upTo` is wholly present or wholly
 * absent, the reported ones present, the contents of those from `from` on (the ones this
 * round wrote; fsck re-hashes all of them anyway) as written, and fsck clean.
 */
async function verify(
  dir: string,
  reported: ReadonlySet<number>,
  from: number,
  upTo: number,
): Promise<number> {
  const pond = await Pond.open(dir);
  const present = new Set((await pond.list('/**')).map((e) => e.path));
  let partial = 0;
  for (let i = 0; i < upTo; i++) {
    const kind = KINDS[i % KINDS.length] as string;
    const [main, companion] = pathsOf(i, kind) as [string, string];
    const has = [present.has(main), present.has(companion)];
    if (has[0] !== has[1]) partial++;
    if (reported.has(i)) {
      expect(has, `transaction ${i} (${kind}) reported success`).toEqual([true, true]);
    }
    if (i >= from && has[0] && kind !== 'mknod') {
      expect(Buffer.from(await pond.read(main)).equals(contentOf(i, kind))).toBe(true);
    }
  }
  expect(partial, 'transactions present in part').toBe(0);
  const steward = await Steward.open(dir);
  const report = await fsck(steward);
  expect(report.problems).toEqual([]);
  return present.size;
}

describe('crash safety', () => {
  it(`survives ${MIN_KILLS}+ kill -9s across ${MIN_COMMITTED}+ write transactions of every kind`, async () => {
    const dir = join(await tempDir(), 'p');
    await Pond.create(dir);
    const seed = Date.now() % 100_000;
    const next = random(seed);
    const reported = new Set<number>();
    let first = 0;
    let kills = 0;
    let checked = 0;
    while ((kills < MIN_KILLS || reported.size < MIN_COMMITTED) && kills < 200) {
      const ok = await runAndKill(dir, first, Math.floor(next() * 9), Math.floor(next() * 300));
      kills++;
      for (const i of ok) reported.add(i);
      // The transaction after the last reported one may have committed or not: either is
      // fine, part of it is not. Start the next writer past it.
      const upTo = (ok.length ? Math.max(...ok) : first - 1) + 2;
      checked = await verify(dir, reported, first, upTo);
      first = upTo;
    }
    // Each kill that landed inside a transaction left it INCOMPLETE.
    const incomplete = (await pondOk(dir, 'log', '--incomplete')).stdout;
    const midTransaction = incomplete.match(/INCOMPLETE/g)?.length ?? 0;
    const recovered = (await pondOk(dir, 'recover')).stdout;
    expect((await pondOk(dir, 'log', '--incomplete')).stdout).toBe('');
    expect((await pondOk(dir, 'fsck')).stdout).toContain('Result: OK');
    console.log(
      `crash test (seed ${seed}): ${kills} kills, ${reported.size} transactions reported committed, ${first} started, ${checked} paths checked at the end; ${midTransaction} kills left a transaction INCOMPLETE; recover: ${recovered.trim().split('\n').pop()}`,
    );
    expect(reported.size).toBeGreaterThanOrEqual(MIN_COMMITTED);
  }, 600_000);
});

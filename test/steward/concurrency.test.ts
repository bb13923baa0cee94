// SPDX-License-Identifier: Apache-2.0
// Concurrency: two processes write in a loop, one failing fast on the lock and one waiting
// for it; meanwhile readers in other processes list the pond. Every write commits or fails
// with LOCKED, no committed write is lost, and readers never block or see half a write.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatus } from '../../ts/cli/exit-codes.js';
import { Pond } from '../../ts/index.js';
import { listedPaths, pond, pondOk, pondProcess, tempDir, waitForLine } from '../helpers.js';

const LOOP_WRITER = join(import.meta.dirname, '..', 'fixtures', 'loop-writer.mjs');
const HOLDER = join(import.meta.dirname, '..', 'fixtures', 'hold-lock.mjs');
const COUNT = 40;

interface Writer {
  readonly child: ChildProcess;
  readonly done: Promise<{ ok: number[]; locked: number[] }>;
}

/** Start a writer; it opens the pond, prints "ready", and waits for a line on stdin. */
function writer(dir: string, name: string, waitMs: number): Writer {
  const child = spawn(
    process.execPath,
    [LOOP_WRITER, dir, name, String(COUNT), String(waitMs), '25'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const done = new Promise<{ ok: number[]; locked: number[] }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`writer ${name} exited ${code}: ${err}`));
      const of = (word: string) =>
        [...out.matchAll(new RegExp(`^${word} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
      resolve({ ok: of('ok'), locked: of('locked') });
    });
  });
  return { child, done };
}

describe('concurrent writers and readers', () => {
  it('every write commits or fails LOCKED (or waits), none is lost, readers see whole writes', async () => {
    const dir = join(await tempDir(), 'p');
    await Pond.create(dir);
    const started = [writer(dir, 'fast', 0), writer(dir, 'patient', 30_000)] as const;
    // Both open the pond first, then start together, so their transactions overlap even when
    // the machine is slow to start one of them.
    await Promise.all(started.map((w) => waitForLine(w.child, 'ready')));
    // Contention by construction, not by timing: a holder keeps the lock until the fast
    // writer has met it at least once.
    const holder = spawn(process.execPath, [HOLDER, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    await waitForLine(holder, 'holding');
    const fastMetLock = waitForLine(started[0].child, 'locked ');
    for (const w of started) w.child.stdin?.write('go\n');
    await fastMetLock;
    const holderDone = new Promise((resolve) => holder.on('exit', resolve));
    holder.stdin?.end();
    await holderDone;
    const writers = Promise.all([started[0].done, started[1].done]);
    let done = false;
    const reads: number[] = [];
    const reader = (async () => {
      while (!done) {
        const r = await pondProcess(dir, ['list', '/w/*']);
        expect(r.code, r.stderr).toBe(0);
        const paths = listedPaths(r.stdout);
        const txt = paths.filter((p) => p.endsWith('.txt'));
        // each write is a pair: a reader sees both files or neither
        for (const p of txt) expect(paths).toContain(p.replace(/\.txt$/, '.pair'));
        expect(paths.length).toBe(txt.length * 2);
        reads.push(txt.length);
      }
    })();
    const [fast, patient] = await writers;
    done = true;
    await reader;
    expect(fast.ok.length + fast.locked.length).toBe(COUNT);
    // the writers did contend: some fast writes met the lock
    expect(fast.locked.length).toBeGreaterThan(0);
    expect(patient.ok.length).toBe(COUNT);
    expect(patient.locked).toEqual([]);
    const listed = new Set(listedPaths((await pondOk(dir, 'list', '/w/*')).stdout));
    for (const j of fast.ok) expect(listed.has(`/w/fast-${j}.txt`)).toBe(true);
    for (const j of fast.locked) expect(listed.has(`/w/fast-${j}.txt`)).toBe(false);
    for (const j of patient.ok) expect(listed.has(`/w/patient-${j}.txt`)).toBe(true);
    expect(listed.size).toBe(2 * (fast.ok.length + patient.ok.length));
    // reads kept going while the writers ran, and never went backwards
    expect(reads.length).toBeGreaterThan(1);
    expect([...reads].sort((a, b) => a - b)).toEqual(reads);
    const log = (await pondOk(dir, 'log')).stdout;
    // init, the holder, and every write that reported ok
    expect(log.match(/COMMITTED/g)?.length).toBe(2 + fast.ok.length + patient.ok.length);
    console.log(
      `concurrency: fast writer ${fast.ok.length} committed / ${fast.locked.length} LOCKED, patient writer ${patient.ok.length} committed, ${reads.length} concurrent reads`,
    );
  }, 300_000);

  it('--wait SECONDS waits for the writer ahead, and fails LOCKED when it is too short', async () => {
    const p = join(await tempDir(), 'p');
    await pondOk(p, 'init');
    const holder = spawn(process.execPath, [HOLDER, p], { stdio: ['pipe', 'pipe', 'inherit'] });
    await waitForLine(holder, 'holding');
    const started = Date.now();
    const short = await pond(p, '--wait', '0.3', 'mkdir', '/x');
    expect(short.code).toBe(exitStatus('LOCKED'));
    expect(short.stderr).toMatch(/^Error \[LOCKED\]: pond is locked/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const waiting = pondProcess(p, ['--wait', '30', 'mkdir', '/y']);
    setTimeout(() => holder.stdin?.end(), 500);
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    expect(listedPaths((await pondOk(p, 'list', '/')).stdout)).toEqual(['/held', '/y']);
  }, 60_000);
});

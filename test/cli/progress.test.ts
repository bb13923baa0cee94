// SPDX-License-Identifier: Apache-2.0
/** The progress line: the pure renderer on an injected clock, and the CLI on a real pty. */

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { progress, progressLine } from '../../ts/cli/progress.js';
import { BIN, copyThreeDays, hostConfig, pondAndHost, pondOk, pondProcess } from '../helpers.js';

function tty(): { stream: PassThrough & { isTTY: boolean }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('progress renderer', () => {
  it('waits for the delay, throttles redraws and clears the line', () => {
    let t = 0;
    const out = tty();
    const p = progress('copy', 'bytes', { stream: out.stream, now: () => t });
    p.add(10);
    t = 500;
    p.add(10);
    expect(out.text()).toBe('');
    t = 1000;
    p.add(2028);
    t = 1050;
    p.add(1);
    expect(out.text()).toBe(`\r${progressLine('copy', 2048, 'bytes', 1000)}`);
    expect(progressLine('copy', 2048, 'bytes', 1000)).toBe('copy: 2.0 KiB (2.0 KiB/s, 1.0 s)');
    p.done();
    const width = progressLine('copy', 2048, 'bytes', 1000).length;
    expect(out.text().endsWith(`\r${' '.repeat(width)}\r`)).toBe(true);
  });

  it('redraws on its timer while the work reports nothing, and stops it when done', () => {
    let t = 0;
    let tick: (() => void) | null = null;
    let stopped = false;
    const out = tty();
    const p = progress('query', 'rows', {
      stream: out.stream,
      now: () => t,
      every: (fn) => {
        tick = fn;
        return () => {
          stopped = true;
        };
      },
    });
    t = 2500;
    (tick as (() => void) | null)?.();
    expect(out.text()).toBe(`\r${progressLine('query', 0, 'rows', 2500)}`);
    expect(progressLine('query', 0, 'rows', 2500)).toBe('query: 0 rows (0 rows/s, 2.5 s)');
    p.done();
    expect(stopped).toBe(true);
  });

  it('draws nothing on a pipe or when quiet', () => {
    const pipe = new PassThrough();
    let wrote = false;
    pipe.on('data', () => {
      wrote = true;
    });
    progress('q', 'rows', { stream: pipe, delayMs: 0 }).add(5);
    const out = tty();
    progress('q', 'rows', { stream: out.stream, delayMs: 0, quiet: true }).add(5);
    expect(wrote).toBe(false);
    expect(out.text()).toBe('');
  });
});

const LINE = /\r(copy|copy-out|query|fsck|maintain): \d.*\/s, /;

describe('progress on a terminal', () => {
  let p: string;
  let host: string;
  beforeEach(async () => {
    ({ p, host } = await pondAndHost());
    await copyThreeDays(p, host, '/s.series');
  });

  /** Run pond under `script`, which gives it a pseudo-terminal; what the terminal shows. */
  function onPty(args: string): string {
    const cmd = `node ${BIN} ${args}`;
    return execFileSync('script', ['-qec', cmd, '/dev/null'], {
      env: { ...process.env, POND: p, POND_PROGRESS_DELAY_MS: '0' },
      encoding: 'utf8',
    });
  }

  it('shows on a tty for copy and sql, never with --quiet or on a pipe', async () => {
    const dir = join(host, 'out');
    expect(onPty(`copy /s.series host://${dir}/`)).toMatch(LINE);
    expect(onPty(`sql "SELECT * FROM '/s.series'" --format csv`)).toMatch(LINE);
    expect(onPty(`copy host://${join(host, 'd0.parquet')} /raw.parquet`)).toMatch(LINE);
    expect(onPty('fsck')).toMatch(LINE);
    expect(onPty('maintain')).toMatch(LINE);
    const mirror = `pattern: "/*.series"\ndirectory: ${join(host, 'mirror')}\n`;
    await pondOk(p, 'mknod', 'copy-out', '/mirror', await hostConfig(host, 'mirror', mirror));
    expect(onPty('run /mirror')).toMatch(/\rcopy-out: \d.*\/s, /);
    expect(onPty(`--quiet copy /s.series host://${dir}/`)).not.toMatch(LINE);
    process.env.POND_PROGRESS_DELAY_MS = '0';
    try {
      const piped = await pondProcess(p, ['copy', '/s.series', `host://${dir}/`]);
      expect(piped.stderr).not.toMatch(LINE);
    } finally {
      delete process.env.POND_PROGRESS_DELAY_MS;
    }
  }, 30_000);
});

describe('tables on a terminal', () => {
  it('cut wide cells with … to fit the width, only on a terminal', async () => {
    const { p } = await pondAndHost();
    const sql = `SELECT repeat('x', 100) AS wide, 'short' AS s`;
    const shown = execFileSync(
      'script',
      ['-qec', `stty cols 40; node ${BIN} sql "${sql}" --format table`, '/dev/null'],
      { env: { ...process.env, POND: p }, encoding: 'utf8' },
    );
    const lines = shown.split(/\r?\n/).filter((l) => l.startsWith('|') || l.startsWith('+'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(40);
    expect(shown).toContain('x…');
    const piped = await pondProcess(p, ['sql', sql, '--format', 'table']);
    expect(piped.stdout).toContain('x'.repeat(100));
  }, 30_000);
});

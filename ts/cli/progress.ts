// SPDX-License-Identifier: Apache-2.0
/**
 * The progress line of long commands on stderr: `NAME: DONE UNIT (RATE/s, ELAPSED s)`,
 * redrawn in place with `\r` at most every 100 ms once the command has run for a second,
 * and cleared at the end. It is also redrawn on a timer, so the elapsed time moves while
 * one long engine call (a sort, an aggregate) reports nothing. Only on a terminal and
 * without `--quiet`; the clock, timer and stream are injected so tests need no timing.
 */

import type { Writable } from 'node:stream';
import { type Progress, SILENT } from '../progress.js';

export interface ProgressOptions {
  /** Where the line goes; shown only when it is a TTY. */
  readonly stream: Writable & { isTTY?: boolean };
  /** Milliseconds before the first draw (default 1000; `POND_PROGRESS_DELAY_MS`). */
  readonly delayMs?: number;
  /** Fewest milliseconds between draws (default 100). */
  readonly intervalMs?: number;
  readonly quiet?: boolean;
  readonly now?: () => number;
  /** Calls `tick` every `ms` until the returned stop is called (default `setInterval`). */
  readonly every?: (tick: () => void, ms: number) => () => void;
}

function everyInterval(tick: () => void, ms: number): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

function human(n: number, unit: string): string {
  if (unit !== 'bytes') return `${Math.round(n)} ${unit}`;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** The progress line for `done` units after `ms` milliseconds (pure, for tests). */
export function progressLine(label: string, done: number, unit: string, ms: number): string {
  const secs = ms / 1000;
  const rate = secs > 0 ? done / secs : 0;
  return `${label}: ${human(done, unit)} (${human(rate, unit)}/s, ${secs.toFixed(1)} s)`;
}

/** A progress counter for `label`, counting `unit` (`bytes` is shown in KiB/MiB). */
export function progress(label: string, unit: string, options: ProgressOptions): Progress {
  if (options.quiet || !options.stream.isTTY) return SILENT;
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const start = now();
  let done = 0;
  let last = Number.NEGATIVE_INFINITY;
  let width = 0;
  const draw = () => {
    const t = now();
    if (t - start < delay || t - last < interval) return;
    last = t;
    const line = progressLine(label, done, unit, t - start);
    options.stream.write(`\r${line.padEnd(width)}`);
    width = line.length;
  };
  const stop = (options.every ?? everyInterval)(draw, interval);
  return {
    add(n: number) {
      done += n;
      draw();
    },
    done() {
      stop();
      if (width > 0) options.stream.write(`\r${' '.repeat(width)}\r`);
      width = 0;
    },
  };
}

// SPDX-License-Identifier: Apache-2.0
/**
 * The progress line of long commands on stderr: `NAME: DONE UNIT (RATE/s, ELAPSED s)`,
 * redrawn in place with `\r` at most every 100 ms once the command has run for a second,
 * and cleared at the end. Only on a terminal and without `--quiet`; the clock and stream are
 * injected so tests need no timing.
 */

import type { Writable } from 'node:stream';

export interface ProgressOptions {
  /** Where the line goes; shown only when it is a TTY. */
  readonly stream: Writable & { isTTY?: boolean };
  /** Milliseconds before the first draw (default 1000; `POND_PROGRESS_DELAY_MS`). */
  readonly delayMs?: number;
  /** Fewest milliseconds between draws (default 100). */
  readonly intervalMs?: number;
  readonly quiet?: boolean;
  readonly now?: () => number;
}

/** A counter the command advances; `done()` clears the line. */
export interface Progress {
  add(n: number): void;
  done(): void;
}

const SILENT: Progress = { add() {}, done() {} };

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
  return {
    add(n: number) {
      done += n;
      draw();
    },
    done() {
      if (width > 0) options.stream.write(`\r${' '.repeat(width)}\r`);
      width = 0;
    },
  };
}

/** Passes `items` through, adding each one's `size` to `p`. */
export async function* counted<T>(
  items: AsyncIterable<T>,
  p: Progress,
  size: (item: T) => number,
): AsyncIterable<T> {
  for await (const item of items) {
    p.add(size(item));
    yield item;
  }
}

/** The size of a chunk for {@link counted}: its bytes. */
export const byteLength = (chunk: Uint8Array): number => chunk.byteLength;

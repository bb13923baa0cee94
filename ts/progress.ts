// SPDX-License-Identifier: Apache-2.0
/**
 * Progress counters: what long work (copies, queries, checks, factory runs) advances so the
 * CLI can show a progress line. The library passes none; the line itself is `cli/progress.ts`.
 */

/** A counter the work advances; `done()` ends it (the CLI clears its line). */
export interface Progress {
  add(n: number): void;
  done(): void;
}

/** Starts a counter for `label`, counting `unit` (`bytes` is shown in KiB/MiB). */
export type ProgressFactory = (label: string, unit: string) => Progress;

/** A counter that shows nothing. */
export const SILENT: Progress = { add() {}, done() {} };

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

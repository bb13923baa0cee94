// SPDX-License-Identifier: Apache-2.0
/**
 * `hydrovu collect`: the dictionary once (a failure aborts the run), then for each active
 * device in config order its resume point, its pages from there, one wide row per distinct
 * timestamp, and one new version of `<name>_active.series`. Everything is staged in the
 * run's single write transaction, so any failure (a device's HTTP error, a malformed page,
 * retries spent) leaves the pond exactly as it was, as in the original. A device with no
 * new readings gets nothing written, and a run that wrote nothing commits nothing.
 *
 * The resume point never falls back to the epoch when `archive_path` is set: with neither
 * collected data nor an archive to resume from, the run is refused.
 */

import { ErrorCode, PondError } from '../../errors.js';
import { type Progress, type ProgressFactory, SILENT } from '../../progress.js';
import type { WD } from '../../tinyfs/fs.js';
import type { HydroVuClient } from './client.js';
import type { Device, HydroVuConfig } from './config.js';
import type { LocationPage } from './model.js';
import { toRecordBatch, wideRows } from './rows.js';
import {
  activePath,
  deviceDir,
  newestInArchive,
  newestInDirectory,
  versionCount,
  writeSeries,
} from './store.js';

/** What a collect run works with (the run context, narrowed). */
export interface CollectContext {
  readonly root: WD;
  readonly hostRoot: string;
  /** The run's result (stdout of `pond run`). */
  out(text: string): void;
  /** Log lines, one per device (stderr of `pond run`); `out` when there is no such place. */
  err?(text: string): void;
  readonly progress?: ProgressFactory;
}

/** What a run did, per device and in all. */
export interface CollectSummary {
  readonly devices: ReadonlyArray<{ readonly device: Device; readonly rows: number }>;
  readonly rows: number;
  readonly requests: number;
}

/** Where a run's log lines go: its `err`, else its `out`. */
export function logLines(ctx: Pick<CollectContext, 'out' | 'err'>): (text: string) => void {
  return (text) => (ctx.err ? ctx.err(text) : ctx.out(text));
}

/** `2023-11-14T22:15:00Z` for Unix seconds. */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Where `device` resumes, in Unix seconds: one second after the newest collected reading. */
export async function resumeSeconds(
  config: HydroVuConfig,
  ctx: CollectContext,
  device: Device,
): Promise<number> {
  const collected = await newestInDirectory(ctx.root, deviceDir(config.hydrovu_path, device));
  const archived =
    collected === null && config.archive_path !== undefined
      ? await newestInArchive(ctx.root, ctx.hostRoot, config.archive_path, device)
      : null;
  const newest = collected ?? archived;
  if (newest !== null) return Math.floor(newest / 1_000_000) + 1;
  if (config.archive_path !== undefined) {
    const dir = deviceDir(config.archive_path, device);
    throw new PondError(
      ErrorCode.NOT_FOUND,
      `hydrovu: device ${device.name} (${device.id}): no collected data under ${deviceDir(config.hydrovu_path, device)} and no resume point in the seed archive ${dir}/*.series; refusing to crawl HydroVu from the epoch`,
      { path: dir },
    );
  }
  return 0;
}

/** Every page of `device` from `start`, within the run's point budget. */
async function fetchPages(
  client: HydroVuClient,
  device: Device,
  start: number,
  budget: number,
  bar: Progress,
): Promise<LocationPage[]> {
  const pages: LocationPage[] = [];
  for await (const { page } of client.pages(device.id, start, budget)) {
    pages.push(page);
    bar.add(page.points);
  }
  return pages;
}

/** Collect every active device into the run's transaction. */
export async function collect(
  config: HydroVuConfig,
  client: HydroVuClient,
  ctx: CollectContext,
): Promise<CollectSummary> {
  const log = logLines(ctx);
  const dictionary = await client.dictionary();
  const done: Array<{ device: Device; rows: number }> = [];
  for (const device of config.devices) {
    if (device.active === false) continue;
    const start = await resumeSeconds(config, ctx, device);
    const bar = ctx.progress?.(`hydrovu ${device.name}`, 'points') ?? SILENT;
    let pages: LocationPage[];
    try {
      pages = await fetchPages(client, device, start, config.max_points_per_run, bar);
    } catch (err) {
      if (err instanceof PondError) {
        err.message = `hydrovu: device ${device.name} (${device.id}): ${err.message}`;
      }
      throw err;
    } finally {
      bar.done();
    }
    const rows = wideRows(pages, dictionary);
    done.push({ device, rows: rows.times.length });
    const first = rows.times[0];
    const last = rows.times[rows.times.length - 1];
    if (first === undefined || last === undefined) {
      log(`Device ${device.id} (${device.name}): no new records since ${rfc3339(start)}\n`);
      continue;
    }
    const path = activePath(config.hydrovu_path, device);
    await writeSeries(ctx.root, path, toRecordBatch(rows));
    const version = await versionCount(ctx.root, path);
    log(
      `Device ${device.id} (${device.name}) collected ${rows.times.length} records from ${rfc3339(first)} to ${rfc3339(last)} (${rows.columns.length} columns, ${pages.length} pages) -> ${path} v${version}\n`,
    );
  }
  const total = done.reduce((n, d) => n + d.rows, 0);
  ctx.out(
    `hydrovu collect: ${total} records from ${done.length} devices (${client.requests} requests)\n`,
  );
  return { devices: done, rows: total, requests: client.requests };
}

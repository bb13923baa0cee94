// SPDX-License-Identifier: Apache-2.0
/**
 * `hydrovu archive [--device NAME]` and `hydrovu list-devices`. Archive, as the original:
 * for each configured device (or the one named; `active` is not consulted) its
 * `<name>_active.series` (else the legacy `<name>.series`) is read through the series
 * reader (every version merged, temporal bounds applied), ordered by time, written as the
 * single version of `<name>_archive_<YYYYMMDD>.series` (today, UTC) beside it, and the old
 * entry removed (its versions stay in the pond's history). A device without a series or a
 * directory, an empty series, or an archive of today's date already there is skipped with
 * a line saying so. `list-devices` prints the configured devices and what is collected.
 */

import { ErrorCode, PondError } from '../../errors.js';
import { collectSql } from '../../query/run-sql.js';
import { quoteLiteral } from '../../query/sql-text.js';
import type { WD } from '../../tinyfs/fs.js';
import { logLines, rfc3339 } from './collect.js';
import type { Device, HydroVuConfig } from './config.js';
import { TIME_COLUMN } from './rows.js';
import {
  activePath,
  archivePath,
  deviceDir,
  legacyPath,
  newestInDirectory,
  writeSeriesSql,
} from './store.js';

export interface ArchiveContext {
  readonly root: WD;
  readonly hostRoot: string;
  /** The run's result (stdout of `pond run`). */
  out(text: string): void;
  /** Log lines, one per device (stderr of `pond run`); `out` when there is no such place. */
  err?(text: string): void;
}

async function exists(root: WD, path: string): Promise<boolean> {
  const found = await root.lookup(path).catch((err: unknown) => {
    if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) return null;
    throw err;
  });
  return found?.kind === 'found';
}

/** The configured devices `name` selects (all when undefined). */
function selected(config: HydroVuConfig, name: string | undefined): Device[] {
  if (name === undefined) return config.devices;
  const found = config.devices.filter((d) => d.name === name);
  if (found.length === 0) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `hydrovu archive --device ${name}: no such device (configured: ${config.devices.map((d) => d.name).join(', ')})`,
    );
  }
  return found;
}

/** Archive one device; returns the archive's path, or null when skipped. */
async function archiveDevice(
  config: HydroVuConfig,
  ctx: ArchiveContext,
  device: Device,
  day: Date,
): Promise<string | null> {
  const label = `Device ${device.id} (${device.name})`;
  const log = logLines(ctx);
  if (!(await exists(ctx.root, deviceDir(config.hydrovu_path, device)))) {
    log(`${label}: skipped, ${deviceDir(config.hydrovu_path, device)} does not exist\n`);
    return null;
  }
  const active = activePath(config.hydrovu_path, device);
  const legacy = legacyPath(config.hydrovu_path, device);
  const source = (await exists(ctx.root, active))
    ? active
    : (await exists(ctx.root, legacy))
      ? legacy
      : null;
  if (!source) {
    log(`${label}: skipped, no ${active} to archive\n`);
    return null;
  }
  const target = archivePath(config.hydrovu_path, device, day);
  if (await exists(ctx.root, target)) {
    log(`${label}: skipped, ${target} already exists\n`);
    return null;
  }
  const counted = await collectSql(
    ctx.root,
    ctx.hostRoot,
    `SELECT count(*) AS n FROM ${quoteLiteral(source)}`,
    {},
  );
  const rows = Number(counted.getChildAt(0)?.get(0) ?? 0);
  if (rows === 0) {
    log(`${label}: skipped, ${source} holds no rows\n`);
    return null;
  }
  const sql = `SELECT * FROM ${quoteLiteral(source)} ORDER BY ${TIME_COLUMN}`;
  await writeSeriesSql(ctx.root, ctx.hostRoot, target, sql);
  await ctx.root.remove(source);
  log(
    `${label}: archived ${rows} records of ${source} -> ${target}\n  export with: pond copy '${target}' host:///DEST${target}\n`,
  );
  return target;
}

/** Archive the devices `name` selects; returns the archives written. */
export async function archive(
  config: HydroVuConfig,
  ctx: ArchiveContext,
  name: string | undefined,
  day: Date,
): Promise<string[]> {
  const written: string[] = [];
  for (const device of selected(config, name)) {
    const target = await archiveDevice(config, ctx, device, day);
    if (target) written.push(target);
  }
  ctx.out(`hydrovu archive: ${written.length} archived\n`);
  return written;
}

/**
 * One line per configured device: name, id, active, newest collected time (`-` for none,
 * and outside a pond), directory, comment.
 */
export async function listDevices(
  config: HydroVuConfig,
  ctx: ArchiveContext & { readonly inPond: boolean },
): Promise<void> {
  const rows = [['NAME', 'ID', 'ACTIVE', 'NEWEST', 'DIRECTORY', 'COMMENT']];
  for (const device of config.devices) {
    const dir = deviceDir(config.hydrovu_path, device);
    const newest = ctx.inPond ? await newestInDirectory(ctx.root, dir) : null;
    rows.push([
      device.name,
      String(device.id),
      device.active === false ? 'no' : 'yes',
      newest === null ? '-' : rfc3339(Math.floor(newest / 1_000_000)),
      dir,
      device.comment ?? '',
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const row of rows) {
    ctx.out(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

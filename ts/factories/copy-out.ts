// SPDX-License-Identifier: Apache-2.0
/**
 * `copy-out` (executable): mirror the files a pond glob matches into a host directory, each
 * at its pond path below it (tables, series and dynamic tables as Parquet, like
 * `pond copy ... host:///dir`). A file is rewritten only when its bytes differ from what
 * the host already has, so a post-commit mirror after every commit costs little more than
 * the files that changed. With `delete: true`, host files under the mirrored directories
 * that the glob no longer matches are removed (a true mirror).
 *
 * The directory lies inside the host root (the pond's `host.root` for post-commit runs), and
 * nothing below it is written through a symlink: subdirectories that are symlinks are
 * refused, a symlink where a file goes is replaced (`host-dir.ts`).
 */

import { stat } from 'node:fs/promises';
import { ErrorCode, PondError } from '../errors.js';
import { byteLength, counted, SILENT } from '../progress.js';
import { exportContent } from '../query/export.js';
import type { FilePath } from '../tinyfs/fs.js';
import { type HeldDir, holdHostDir, pruneBelow, writeBelow } from '../tinyfs/host-dir.js';
import { hostConfigPath } from '../tinyfs/host-path.js';
import { components } from '../tinyfs/path.js';
import { bool, obj, str } from './config.js';
import { defineFactory } from './registry.js';

/** `pattern`: a pond glob (directories match nothing; files below one need `**`);
 * `directory`: the host directory, inside the host root (relative paths are under it). */
const config = obj({ pattern: str, directory: str }, { delete: bool });

export const copyOut = defineFactory({
  name: 'copy-out',
  description:
    'mirror pond files matching a glob into a host directory (changed files only); runs after each commit under /system/run',
  config,
  async run(config, ctx) {
    const unknown = ctx.args.filter((a) => a !== 'push' && a !== 'pull');
    if (unknown.length > 0) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `copy-out takes no arguments but push or pull (got ${unknown.join(' ')})`,
      );
    }
    const base = hostConfigPath(ctx.hostRoot, config.directory, ErrorCode.INVALID_CONFIG);
    const existing = await stat(base).catch(() => null);
    if (existing && !existing.isDirectory()) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `copy-out: ${base} exists and is not a directory`,
        { path: base },
      );
    }
    let written = 0;
    let same = 0;
    let removed = 0;
    const wanted = new Set<string>();
    const plan = {
      root: ctx.root,
      hostRoot: ctx.hostRoot,
      cacheDir: ctx.root.fs.persistence.cacheDir ?? null,
    };
    let held: HeldDir | null = null;
    const bar = ctx.progress?.('copy-out', 'bytes') ?? SILENT;
    try {
      for await (const { np } of ctx.root.glob(config.pattern)) {
        if (np.node.kind !== 'file') continue;
        wanted.add(np.path);
        held ??= await holdHostDir(ctx.hostRoot, base, ErrorCode.INVALID_CONFIG);
        const options = { code: ErrorCode.INVALID_CONFIG, unlessSame: true };
        if (
          await writeBelow(
            held,
            components(np.path),
            counted(exportContent(np as FilePath, plan), bar, byteLength),
            options,
          )
        )
          written++;
        else same++;
      }
      if (config.delete && (held || existing)) {
        held ??= await holdHostDir(ctx.hostRoot, base, ErrorCode.INVALID_CONFIG);
        const keep = (rel: readonly string[]) => wanted.has(`/${rel.join('/')}`);
        removed = await pruneBelow(held, keep, ErrorCode.INVALID_CONFIG);
      }
    } finally {
      bar.done();
      await held?.close();
    }
    const deleted = config.delete ? `, ${removed} removed` : '';
    ctx.out(
      `copy-out ${config.pattern} -> ${base}: ${written} written, ${same} unchanged${deleted}\n`,
    );
  },
});

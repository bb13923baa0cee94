// SPDX-License-Identifier: Apache-2.0
/**
 * `copy` out of the pond: each matched file is written below a host directory (inside the
 * host root) at its absolute pond path, or with `--strip-prefix P` at its path below P,
 * never through a symlink (`tinyfs/host-dir.ts`). Tables and series are written as one
 * Parquet file of all their rows (`query/export.ts`).
 */

import { ErrorCode, invalidArgument, notFound, type PondError } from '../errors.js';
import { byteLength, counted } from '../progress.js';
import { exportContent } from '../query/export.js';
import type { FilePath, NodePath } from '../tinyfs/fs.js';
import { hasWildcard } from '../tinyfs/glob.js';
import { holdHostDir, writeBelow } from '../tinyfs/host-dir.js';
import { components, join, normalize } from '../tinyfs/path.js';
import type { CliContext } from './context.js';

function isFile(np: NodePath): np is FilePath {
  return np.node.kind === 'file';
}

/**
 * Where a pond file lands below the destination: its path's components, without those of
 * `strip` (a pond directory path, matched whole components at a time). Every file must lie
 * below `strip`; the original DuckPond strips a string prefix and keeps the full path of a
 * file outside it, which pond refuses instead (before anything is written).
 */
export function outputComponents(path: string, strip: string | undefined): string[] {
  const parts = components(path);
  if (strip === undefined) return parts;
  if (hasWildcard(strip)) {
    throw invalidArgument(`--strip-prefix ${strip}: a directory path, not a pattern`, strip);
  }
  const prefix = components(strip);
  const below = prefix.every((c, i) => parts[i] === c) && parts.length > prefix.length;
  if (!below) {
    throw invalidArgument(
      `${path} is not below --strip-prefix ${normalize(strip)}; every copied file must be (strip a shorter prefix, or copy it apart)`,
      path,
    );
  }
  return parts.slice(prefix.length);
}

/** Copy what `patterns` match below `hostDir` (a path under `ctx.hostRoot()`); the count. */
export async function copyOut(
  ctx: CliContext,
  patterns: readonly string[],
  hostDir: string,
  options: { stripPrefix?: string } = {},
): Promise<number> {
  const root = await ctx.reader();
  const files = new Map<string, FilePath>();
  for (const pattern of patterns) {
    let matched = 0;
    const glob = hasWildcard(pattern)
      ? pattern
      : await root
          .get(pattern)
          .then((np) => (np.node.kind === 'directory' ? join(np.path, '**') : np.path));
    const onBroken = (_: string, error: PondError) =>
      ctx.io.stderr.write(`[ERR] ${error.message}\n`);
    for await (const { np } of root.glob(glob, { onBroken })) {
      if (!isFile(np)) continue;
      files.set(np.path, np);
      matched++;
    }
    if (matched === 0) throw notFound(pattern, 'no files match');
  }
  const targets = new Map(
    [...files.keys()].map((path) => [path, outputComponents(path, options.stripPrefix)]),
  );
  const code = ErrorCode.INVALID_ARGUMENT;
  const plan = { root, hostRoot: ctx.hostRoot(), cacheDir: root.fs.persistence.cacheDir ?? null };
  const base = await holdHostDir(ctx.hostRoot(), hostDir, code);
  const bar = ctx.progress('copy', 'bytes');
  try {
    for (const np of files.values()) {
      await writeBelow(
        base,
        targets.get(np.path) as string[],
        counted(exportContent(np, plan), bar, byteLength),
        { code },
      );
    }
  } finally {
    bar.done();
    await base.close();
  }
  return files.size;
}

// SPDX-License-Identifier: Apache-2.0
/** `copy` into the pond: host files and directories become pond files, in one transaction. */

import { open, readdir, stat } from 'node:fs/promises';
import { basename, join as hostJoin } from 'node:path';
import { ErrorCode, invalidArgument, PondError } from '../errors.js';
import type { PondUrl } from '../query/url.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { WD } from '../tinyfs/fs.js';
import { join, normalize } from '../tinyfs/path.js';
import type { CliContext } from './context.js';

interface Source {
  readonly hostPath: string;
  readonly isDir: boolean;
  readonly entryType: EntryType;
}

function entryTypeFor(url: PondUrl, text: string): EntryType {
  if (url.compression || url.cast) {
    throw invalidArgument(
      `${text}: compression and casts apply when reading; copy the raw file with host:///path`,
    );
  }
  switch (url.format) {
    case 'file':
    case 'data':
      return EntryType.FilePhysicalVersion;
    case 'table':
      return EntryType.TablePhysicalVersion;
    default:
      throw invalidArgument(
        `${text}: cannot copy in as ${url.format}; use host:///path for raw bytes or host+table:///path for Parquet`,
      );
  }
}

/** Parquet files start and end with `PAR1`. */
export async function checkParquet(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    if (size >= 8) {
      await file.read(head, 0, 4, 0);
      await file.read(tail, 0, 4, size - 4);
    }
    if (head.toString('latin1') !== 'PAR1' || tail.toString('latin1') !== 'PAR1') {
      throw new PondError(
        ErrorCode.SCHEMA_MISMATCH,
        `${path}: not a valid parquet file (missing PAR1 magic bytes); to copy raw bytes use host://${path}`,
        { path },
      );
    }
  } finally {
    await file.close();
  }
}

async function resolveSource(ctx: CliContext, url: PondUrl, text: string): Promise<Source> {
  const hostPath = ctx.hostPath(url.path);
  const entryType = entryTypeFor(url, text);
  const st = await stat(hostPath).catch(() => null);
  if (!st) {
    throw new PondError(ErrorCode.NOT_FOUND, `host file ${hostPath}: no such file or directory`, {
      path: hostPath,
    });
  }
  if (!st.isDirectory() && entryType === EntryType.TablePhysicalVersion)
    await checkParquet(hostPath);
  return { hostPath, isDir: st.isDirectory(), entryType };
}

async function copyTree(
  root: WD,
  hostDir: string,
  target: string,
  entryType: EntryType,
): Promise<void> {
  await root.mkdir(target, { parents: true });
  const children = await readdir(hostDir, { withFileTypes: true });
  children.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const child of children) {
    const from = hostJoin(hostDir, child.name);
    const to = join(target, child.name);
    if (child.isDirectory()) await copyTree(root, from, to, entryType);
    else if (child.isFile()) {
      if (entryType === EntryType.TablePhysicalVersion) await checkParquet(from);
      await root.writeFile(to, { kind: 'hostFile', path: from }, { entryType });
    }
  }
}

export async function copyIn(
  ctx: CliContext,
  urls: readonly { url: PondUrl; text: string }[],
  dest: string,
): Promise<void> {
  const sources = await Promise.all(urls.map((u) => resolveSource(ctx, u.url, u.text)));
  await ctx.write(async (root) => {
    const found = await root.lookup(dest);
    const destDir =
      found.kind === 'found' && found.np.node.kind === 'directory' ? found.np.path : null;
    if (sources.length > 1 && destDir === null) {
      throw invalidArgument(
        `${normalize(dest)}: copying several sources needs an existing directory`,
      );
    }
    for (const src of sources) {
      const target = destDir === null ? normalize(dest) : join(destDir, basename(src.hostPath));
      if (src.isDir) await copyTree(root, src.hostPath, target, src.entryType);
      else
        await root.writeFile(
          target,
          { kind: 'hostFile', path: src.hostPath },
          { entryType: src.entryType },
        );
    }
  });
}

// SPDX-License-Identifier: Apache-2.0
/**
 * `copy` into the pond: host files and directories become pond files, in one transaction.
 * Sources lie inside the host root (`-d`), symlinks included; inside a copied directory,
 * symlinks are skipped.
 */

import { readdir, stat } from 'node:fs/promises';
import { basename, join as hostJoin } from 'node:path';
import { ErrorCode, invalidArgument, PondError } from '../errors.js';
import type { Progress } from '../progress.js';
import {
  checkParquet,
  type IngestOptions,
  ingestEntryType,
  ingestHostFile,
} from '../query/ingest.js';
import type { PondUrl } from '../query/url.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { WD } from '../tinyfs/fs.js';
import { hostError, realInside } from '../tinyfs/host-path.js';
import { join, normalize } from '../tinyfs/path.js';
import type { CliContext } from './context.js';

interface Source {
  readonly hostPath: string;
  readonly isDir: boolean;
  readonly entryType: EntryType;
}

function entryTypeFor(url: PondUrl, text: string): EntryType {
  const type = ingestEntryType(url);
  if (type) return type;
  throw invalidArgument(
    url.compression || url.cast
      ? `${text}: compression and casts apply when reading; copy the raw file with host:///path`
      : `${text}: cannot copy in as ${url.format}; use host:///path (raw bytes), host+table:///path or host+series:///path (Parquet)`,
  );
}

async function resolveSource(ctx: CliContext, url: PondUrl, text: string): Promise<Source> {
  const hostPath = ctx.hostPath(url.path);
  const entryType = entryTypeFor(url, text);
  await realInside(ctx.hostRoot(), hostPath, ErrorCode.INVALID_ARGUMENT);
  const st = await stat(hostPath).catch(() => null);
  if (!st) {
    throw new PondError(ErrorCode.NOT_FOUND, `host file ${hostPath}: no such file or directory`, {
      path: hostPath,
    });
  }
  if (!st.isDirectory() && !st.isFile()) {
    throw invalidArgument(
      `host file ${hostPath}: not a regular file or directory (a fifo, socket or device is never copied)`,
      hostPath,
    );
  }
  if (!st.isDirectory() && entryType !== EntryType.FilePhysicalVersion)
    await checkParquet(hostPath);
  return { hostPath, isDir: st.isDirectory(), entryType };
}

async function copyTree(
  root: WD,
  hostDir: string,
  target: string,
  entryType: EntryType,
  options: IngestOptions,
  bar: Progress,
): Promise<void> {
  await root.mkdir(target, { parents: true });
  const children = await readdir(hostDir, { withFileTypes: true }).catch((err) => {
    throw hostError(err, hostDir);
  });
  children.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const child of children) {
    const from = hostJoin(hostDir, child.name);
    const to = join(target, child.name);
    if (child.isDirectory()) await copyTree(root, from, to, entryType, options, bar);
    else if (child.isFile()) {
      await ingestHostFile(root, from, to, entryType, options);
      bar.add(1);
    }
  }
}

export async function copyIn(
  ctx: CliContext,
  urls: readonly { url: PondUrl; text: string }[],
  dest: string,
  options: IngestOptions = {},
): Promise<void> {
  const sources = await Promise.all(urls.map((u) => resolveSource(ctx, u.url, u.text)));
  const bar = ctx.progress('copy', 'files');
  await ctx
    .write(async (root) => {
      const found = await root.lookup(dest);
      let destDir =
        found.kind === 'found' && found.np.node.kind === 'directory' ? found.np.path : null;
      if (destDir === null && dest.endsWith('/')) {
        if (found.kind === 'found') throw invalidArgument(`${dest}: not a directory`, dest);
        destDir = normalize(dest);
        await root.mkdir(destDir, { parents: true });
      }
      if (sources.length > 1 && destDir === null) {
        throw invalidArgument(
          `${normalize(dest)}: copying several sources needs an existing directory`,
        );
      }
      for (const src of sources) {
        const target = destDir === null ? normalize(dest) : join(destDir, basename(src.hostPath));
        if (src.isDir) await copyTree(root, src.hostPath, target, src.entryType, options, bar);
        else {
          await ingestHostFile(root, src.hostPath, target, src.entryType, options);
          bar.add(1);
        }
      }
    })
    .finally(() => bar.done());
}

// SPDX-License-Identifier: Apache-2.0
/** `copy` out of the pond: each matched file is written below a host directory at its
 * absolute pond path. */

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join as hostJoin } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { notFound } from '../errors.js';
import type { FilePath, NodePath } from '../tinyfs/fs.js';
import { hasWildcard } from '../tinyfs/glob.js';
import { readContent } from '../tinyfs/node.js';
import { join } from '../tinyfs/path.js';
import type { CliContext } from './context.js';

function isFile(np: NodePath): np is FilePath {
  return np.node.kind === 'file';
}

export async function copyOut(
  ctx: CliContext,
  patterns: readonly string[],
  hostDir: string,
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
    for await (const { np } of root.glob(glob)) {
      if (!isFile(np)) continue;
      files.set(np.path, np);
      matched++;
    }
    if (matched === 0) throw notFound(pattern, 'no files match');
  }
  for (const np of files.values()) {
    const dest = hostJoin(hostDir, np.path);
    await mkdir(dirname(dest), { recursive: true });
    await pipeline(Readable.from(readContent(np.node)), createWriteStream(dest));
  }
  return files.size;
}

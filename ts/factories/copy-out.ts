// SPDX-License-Identifier: Apache-2.0
/**
 * `copy-out` (executable): mirror the files a pond glob matches into a host directory, each
 * at its pond path below it (tables, series and dynamic tables as Parquet, like
 * `pond copy ... host:///dir`). A file is rewritten only when its bytes differ from what
 * the host already has, so a post-commit mirror after every commit costs little more than
 * the files that changed. With `delete: true`, host files under the mirrored directories
 * that the glob no longer matches are removed (a true mirror).
 */

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, PondError } from '../errors.js';
import type { FilePath } from '../tinyfs/fs.js';
import { readContent } from '../tinyfs/node.js';
import { bool, obj, str } from './config.js';
import { executableFactory } from './registry.js';

/** `pattern`: a pond glob (directories match nothing; files below one need `**`);
 * `directory`: the host directory (relative paths are under `-d`, default `/`). */
const config = obj({ pattern: str, directory: str }, { delete: bool });

async function sha256OfHost(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

/** Write a pond file to `dest` unless it already holds the same bytes; true if written. */
async function mirror(np: FilePath, dest: string): Promise<boolean> {
  const tmp = `${dest}.pond-tmp-${process.pid}`;
  await mkdir(dirname(dest), { recursive: true });
  const hash = createHash('sha256');
  const tee = async function* () {
    for await (const chunk of readContent(np.node)) {
      hash.update(chunk);
      yield chunk;
    }
  };
  await pipeline(Readable.from(tee()), createWriteStream(tmp));
  if ((await sha256OfHost(dest)) === hash.digest('hex')) {
    await rm(tmp);
    return false;
  }
  await rename(tmp, dest);
  return true;
}

async function hostFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

export const copyOut = executableFactory({
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
    const base = isAbsolute(config.directory)
      ? config.directory
      : resolve(ctx.hostRoot, config.directory);
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
    const wanted = new Set<string>();
    for await (const { np } of ctx.root.glob(config.pattern)) {
      if (np.node.kind !== 'file') continue;
      const dest = join(base, np.path);
      wanted.add(dest);
      if (await mirror(np as FilePath, dest)) written++;
      else same++;
    }
    let removed = 0;
    if (config.delete) {
      for (const file of await hostFiles(base)) {
        if (!wanted.has(file)) {
          await rm(file);
          removed++;
        }
      }
    }
    const deleted = config.delete ? `, ${removed} removed` : '';
    ctx.out(
      `copy-out ${config.pattern} -> ${base}: ${written} written, ${same} unchanged${deleted}\n`,
    );
  },
});

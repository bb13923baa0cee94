// SPDX-License-Identifier: Apache-2.0
/** Pattern handling shared by `list` and `describe`. */

import { ErrorCode, PondError } from '../errors.js';
import type { GlobOptions, NodePath, WD } from '../tinyfs/fs.js';
import { hasWildcard } from '../tinyfs/glob.js';
import { components } from '../tinyfs/path.js';

/**
 * The glob a `list` argument stands for: none = `/**\/*`; `/` = `/*`; `dir/` = `dir/*`;
 * anything else as written; relative paths are rooted at `/`.
 */
export function listPattern(arg: string | undefined): string {
  if (arg === undefined || arg === '') return '/**/*';
  let pattern = arg.startsWith('/') ? arg : `/${arg}`;
  if (pattern.endsWith('/')) pattern = `${pattern}*`;
  return pattern;
}

function hidden(path: string): boolean {
  return components(path).some((c) => c.startsWith('.'));
}

/** Nodes matching a pattern, sorted by path, without the root, without dotfiles unless
 * `all` (a dotfile named literally in the pattern is always shown). A glob whose fixed
 * prefix is missing is NOT_FOUND: it could never match. */
export async function selectNodes(
  root: WD,
  pattern: string,
  all: boolean,
  options: GlobOptions = {},
): Promise<NodePath[]> {
  await root.requireGlobPrefix(pattern);
  const seen = new Map<string, NodePath>();
  const literalDots = !hasWildcard(pattern) && hidden(pattern);
  for await (const { np } of root.glob(pattern, options)) {
    if (np.path === '/' || seen.has(np.path)) continue;
    if (!all && !literalDots && hidden(np.path)) continue;
    seen.set(np.path, np);
  }
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Broken nodes met by a walk: each reported on stderr as `[ERR] path: why` as it is met. */
export class BrokenNodes {
  readonly paths: string[] = [];

  constructor(private readonly stderr: { write(text: string): unknown }) {}

  readonly onBroken = (path: string, error: PondError): void => {
    this.paths.push(path);
    this.stderr.write(`[ERR] ${error.message}\n`);
  };

  /** With `strict`, fail if any node was broken (after the listing was written). */
  check(strict: boolean): void {
    if (!strict || this.paths.length === 0) return;
    throw new PondError(
      ErrorCode.INVALID_CONFIG,
      `${this.paths.length} broken node(s): ${this.paths.join(', ')}`,
      { path: this.paths[0] },
    );
  }
}

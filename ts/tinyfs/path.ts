// SPDX-License-Identifier: Apache-2.0
/**
 * Pond path arithmetic. Pond paths are `/`-separated, absolute once normalised, with `.`
 * and `..` resolved lexically (`..` at the root stays at the root).
 */

import { invalidArgument } from '../errors.js';

/** Split a path into its components, resolving `.` and `..` against `base` components. */
export function components(path: string, base: readonly string[] = []): string[] {
  if (path.includes('\0'))
    throw invalidArgument(`path contains a NUL byte: ${JSON.stringify(path)}`);
  const out = path.startsWith('/') ? [] : [...base];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

/** The canonical absolute form of a path: `/a/b`, or `/` for the root. */
export function normalize(path: string, cwd = '/'): string {
  return fromComponents(components(path, components(cwd)));
}

export function fromComponents(parts: readonly string[]): string {
  return `/${parts.join('/')}`;
}

export function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function dirname(path: string): string {
  const parts = components(path);
  parts.pop();
  return fromComponents(parts);
}

export function basename(path: string): string {
  const parts = components(path);
  return parts[parts.length - 1] ?? '/';
}

/** A valid entry name: non-empty, no `/`, not `.` or `..`. */
export function checkName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw invalidArgument(`invalid entry name: ${JSON.stringify(name)}`);
  }
  return name;
}

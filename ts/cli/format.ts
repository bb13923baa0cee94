// SPDX-License-Identifier: Apache-2.0
/** Output formatting shared by commands: times, sizes, list lines. */

import { entryTypeInfo } from '../tinyfs/entry-type.js';
import type { NodePath } from '../tinyfs/fs.js';
import { shortId } from '../tinyfs/node-id.js';
import type { VersionRecord } from '../tinyfs/persistence.js';

/** `YYYY-MM-DD HH:MM:SS` in UTC, from ms since the epoch. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function microsToUtc(us: number): string {
  return utcTime(Math.floor(us / 1000));
}

/** Quote an argv for display, as a shell would need it. */
export function shellJoin(args: readonly string[]): string {
  return args
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

export interface ListEntry {
  readonly np: NodePath;
  readonly latest: VersionRecord | undefined;
  readonly target?: string;
}

/** One `list` line: marker (or type name), size, node@pond, version, time, path. */
export function listLine(entry: ListEntry, pondId: string, long: boolean): string {
  const { np, latest } = entry;
  const info = entryTypeInfo(np.node.ref.entryType);
  const kind = long ? info.longName.padEnd(17) : info.marker.padEnd(6);
  const size = np.node.kind === 'directory' || latest?.size == null ? '-' : String(latest.size);
  const version = latest ? `v${latest.version}` : 'v-';
  const time = latest ? microsToUtc(latest.timestamp) : '-'.padEnd(19);
  const path = entry.target === undefined ? np.path : `${np.path} -> ${entry.target}`;
  return `${kind} ${size.padStart(10)}  ${shortId(np.node.ref.id)}@${shortId(pondId)}  ${version.padEnd(4)}  ${time}  ${path}\n`;
}

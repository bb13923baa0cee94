// SPDX-License-Identifier: Apache-2.0
/**
 * One `logfile-ingest` run (REFERENCE-ORIGINAL §3.1): host logs into `file:physical:series`
 * files of `pond_path`, one new version per run holding only the new bytes.
 *
 * 1. Open every matched host file and take its size (`host-logs.ts`).
 * 2. For each active file the pond already has: if its first N bytes (N = what the pond
 *    holds) no longer hash to the pond's prefix hash, it was rotated. An archived host file
 *    not yet in the pond whose first N bytes do hash to it is where the old content went:
 *    its remaining bytes are appended to the pond file, which is then renamed to the
 *    archived name (history preserved). No such file: a shrunk active file is a warning and
 *    is skipped; one that kept or passed its size is an error.
 * 3. Then per host file: new ones are ingested whole; an active one that grew gets the
 *    bytes past N; an archived one the pond has must still hash to what the pond holds,
 *    else the run fails (archived files are immutable) and nothing is committed.
 *
 * Everything runs inside the caller's write transaction, so an error anywhere commits
 * nothing. Bytes stream from the open handles into the content writer in 1 MiB chunks.
 */

import type { Hash } from 'node:crypto';
import { ErrorCode, PondError } from '../../errors.js';
import { EntryType } from '../../tinyfs/entry-type.js';
import type { FilePath, WD } from '../../tinyfs/fs.js';
import { join } from '../../tinyfs/path.js';
import type { ContentSource } from '../../tinyfs/persistence.js';
import { closeLogs, type HostLog, type LogPatterns, openHostLogs } from './host-logs.js';
import { logAttributes, type PondLog, pondLogs } from './pond-logs.js';
import { digestOf, hashing, hashRange, prefixHasher, readRange } from './prefix.js';

/** A validated logfile-ingest config. */
export interface LogfileConfig extends LogPatterns {
  readonly pond_path: string;
}

/** Points where a test may act between the steps of a run (e.g. rotate a file). */
export interface IngestHooks {
  /** After every host file is opened and sized, before anything is read. */
  afterOpen?(logs: readonly HostLog[]): Promise<void>;
}

/** What a run did. */
export interface IngestSummary {
  created: number;
  appended: number;
  unchanged: number;
  rotated: number;
  /** New bytes written. */
  bytes: number;
  readonly warnings: string[];
}

type Logs = Awaited<ReturnType<typeof pondLogs>>;

/** Run one ingest of `config` against the pond tree `root`, host paths under `hostRoot`. */
export async function ingestLogs(
  root: WD,
  config: LogfileConfig,
  hostRoot: string,
  hooks: IngestHooks = {},
): Promise<IngestSummary> {
  const logs = await openHostLogs(config, hostRoot);
  try {
    await hooks.afterOpen?.(logs);
    return await ingestOpened(root, config.pond_path, logs);
  } finally {
    await closeLogs(logs);
  }
}

/** The one-line report a run prints, then its warnings. */
export function summaryText(pondPath: string, s: IngestSummary): string {
  const lines = [
    `logfile-ingest ${pondPath}: ${s.created} new, ${s.appended} appended, ${s.unchanged} unchanged, ${s.rotated} rotated; ${s.bytes} bytes written`,
    ...s.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

async function ingestOpened(
  root: WD,
  pondPath: string,
  logs: readonly HostLog[],
): Promise<IngestSummary> {
  const summary: IngestSummary = {
    created: 0,
    appended: 0,
    unchanged: 0,
    rotated: 0,
    bytes: 0,
    warnings: [],
  };
  let pond = await pondLogs(root, pondPath);
  refuseOthers(logs, pond, pondPath);
  const archived = logs.filter((l) => l.kind === 'archived');
  const verified = new Map<string, Hash>();
  const done = new Set<string>();
  for (const log of logs) {
    if (log.kind !== 'active') continue;
    const tracked = pond.logs.get(log.name);
    if (!tracked) continue;
    const prefix =
      log.size >= tracked.size ? await hashRange(log.handle, 0, tracked.size, log.path) : null;
    if (prefix && digestOf(prefix) === tracked.sha256) {
      verified.set(log.name, prefix);
      continue;
    }
    const next = await continuation(archived, pond, tracked);
    if (next) {
      summary.bytes += await append(tracked.np, next.log, tracked.size, next.hash);
      await root.move(tracked.np.path, join(pondPath, next.log.name));
      summary.rotated++;
      done.add(next.log.name);
      pond = await pondLogs(root, pondPath);
      continue;
    }
    if (!prefix) {
      summary.warnings.push(
        `${log.path} SHRUNK from ${tracked.size} to ${log.size} bytes and no archived file continues ${tracked.np.path}; nothing ingested from it`,
      );
      done.add(log.name);
      continue;
    }
    throw new PondError(
      ErrorCode.INVALID_DATA,
      `logfile-ingest: the first ${tracked.size} bytes of ${log.path} are no longer what ${tracked.np.path} holds, and no archived file continues it (rotated into a compressed archive, or rewritten in place?); nothing was ingested`,
      { path: log.path },
    );
  }
  for (const log of logs) {
    if (done.has(log.name)) continue;
    const tracked = pond.logs.get(log.name);
    if (!tracked) {
      summary.bytes += await ingestWhole(root, pondPath, log);
      summary.created++;
    } else if (log.kind === 'archived') {
      await checkUnchanged(log, tracked);
      summary.unchanged++;
    } else if (log.size === tracked.size) {
      summary.unchanged++;
    } else {
      const prefix = verified.get(log.name);
      if (!prefix) throw new PondError(ErrorCode.INTERNAL, `${log.path}: prefix not verified`);
      summary.bytes += await append(tracked.np, log, tracked.size, prefix);
      summary.appended++;
    }
  }
  return summary;
}

/** A host file whose name the pond directory holds as something other than a log. */
function refuseOthers(logs: readonly HostLog[], pond: Logs, pondPath: string): void {
  for (const log of logs) {
    const type = pond.other.get(log.name);
    if (type !== undefined) {
      const path = join(pondPath, log.name);
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `logfile-ingest: ${path} is a ${type} entry, not a file:physical:series log; ${log.path} cannot be ingested into it`,
        { path },
      );
    }
  }
}

/** The archived host file, not in the pond yet, whose first bytes are what `tracked` holds. */
async function continuation(
  archived: readonly HostLog[],
  pond: Logs,
  tracked: PondLog,
): Promise<{ log: HostLog; hash: Hash } | null> {
  for (const log of archived) {
    if (pond.logs.has(log.name) || log.size < tracked.size) continue;
    const hash = await hashRange(log.handle, 0, tracked.size, log.path);
    if (digestOf(hash) === tracked.sha256) return { log, hash };
  }
  return null;
}

/**
 * Host bytes `[from, log.size)` as a stream into the store, feeding `hash` (which holds the
 * first `from` bytes); the version's cumulative record is filled in once the last chunk is
 * read, before the store stages the version (it stores the content first).
 */
function source(
  log: HostLog,
  from: number,
  hash: Hash,
): {
  content: ContentSource;
  meta: { extendedAttributes?: string };
} {
  const meta: { extendedAttributes?: string } = {};
  const chunks = hashing(readRange(log.handle, from, log.size, log.path), hash, () => {
    meta.extendedAttributes = logAttributes(log.size, hash.digest('hex'));
  });
  return { content: { kind: 'stream', chunks }, meta };
}

async function append(np: FilePath, log: HostLog, from: number, hash: Hash): Promise<number> {
  if (log.size === from) return 0;
  const { content, meta } = source(log, from, hash);
  await np.node.file.write(content, meta);
  return log.size - from;
}

async function ingestWhole(root: WD, pondPath: string, log: HostLog): Promise<number> {
  await root.mkdir(pondPath, { parents: true });
  const { content, meta } = source(log, 0, prefixHasher());
  await root.createFile(join(pondPath, log.name), EntryType.FilePhysicalSeries, content, meta);
  return log.size;
}

/** An archived file the pond has must be byte for byte what it holds. */
async function checkUnchanged(log: HostLog, tracked: PondLog): Promise<void> {
  const same =
    log.size === tracked.size &&
    digestOf(await hashRange(log.handle, 0, log.size, log.path)) === tracked.sha256;
  if (!same) {
    throw new PondError(
      ErrorCode.INVALID_DATA,
      `logfile-ingest: archived file ${log.path} CHANGED since it was ingested as ${tracked.np.path} (${tracked.size} bytes then, ${log.size} now); archived files must not change, so nothing was ingested`,
      { path: log.path },
    );
  }
}

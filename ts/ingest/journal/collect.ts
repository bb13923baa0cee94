// SPDX-License-Identifier: Apache-2.0
/**
 * One `journal-ingest` collection (REFERENCE-ORIGINAL §3.2): journal entries after the
 * stored cursor, appended as one new version per destination file of `pond_path`, and the
 * new cursor, all in the caller's write transaction. Entries and cursor commit together or
 * not at all, so a run that fails (the reader exits non-zero, the commit fails) leaves the
 * old cursor and the next run reads the same entries again: none is lost or written twice.
 *
 * Each entry goes to the first of: `kernel.jsonl` (kernel transport, with
 * `collect_kernel`), `user-<unit>.jsonl` (a user unit, also under `user@*.service`),
 * `<unit>.jsonl`, `<identifier>.jsonl`, `other.jsonl`; `/` in a name becomes `-`. Lines are
 * stored verbatim; a version's event-time bounds are the min/max of `timestamp_field` (µs).
 */

import { seriesAttributes } from '../../query/series.js';
import { EntryType } from '../../tinyfs/entry-type.js';
import type { WD } from '../../tinyfs/fs.js';
import { join } from '../../tinyfs/path.js';
import { Batches } from './batches.js';
import { checkExtraArgs, journalArgs, journalProgram, runJournal } from './command.js';

/** The hidden file holding the cursor (a `file:physical:version`). Persisted name. */
export const CURSOR_FILE = '.journal-cursor';

/** A validated journal-ingest config. */
export interface JournalConfig {
  readonly pond_path: string;
  readonly journalctl_command: string;
  readonly collect_kernel: boolean;
  readonly timestamp_field: string;
  readonly extra_args: readonly string[];
}

/** What a collection did. */
export interface CollectSummary {
  readonly entries: number;
  readonly skipped: number;
  readonly files: number;
  readonly cursor: string | null;
}

type Entry = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The destination file name of an entry (the original's rules). */
export function destination(entry: Entry, collectKernel: boolean): string {
  const unit = text(entry._SYSTEMD_UNIT);
  const userUnit = text(entry._SYSTEMD_USER_UNIT);
  const identifier = text(entry.SYSLOG_IDENTIFIER);
  let base: string;
  if (collectKernel && entry._TRANSPORT === 'kernel') base = 'kernel';
  else if (unit !== null) {
    base = /^user@.*\.service$/.test(unit) && userUnit !== null ? `user-${userUnit}` : unit;
  } else if (userUnit !== null) base = `user-${userUnit}`;
  else if (identifier !== null) base = identifier;
  else base = 'other';
  return `${base.replace(/[/\0]/g, '-')}.jsonl`;
}

/** An entry's event time in µs (digits or an integer), or null. */
function eventTime(entry: Entry, field: string): number | null {
  const v = entry[field];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,16}$/.test(v)) return Number(v);
  return null;
}

/** A line as a journal entry (a JSON object), or null. */
function parseEntry(line: string): Entry | null {
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null && !Array.isArray(entry)
      ? (entry as Entry)
      : null;
  } catch {
    return null;
  }
}

/** The stored cursor, or null (none yet, or empty). */
export async function readCursor(root: WD, pondPath: string): Promise<string | null> {
  const np = await root.find(join(pondPath, CURSOR_FILE));
  if (np?.node.kind !== 'file') return null;
  const chunks: Buffer[] = [];
  for await (const c of np.node.file.read()) chunks.push(Buffer.from(c));
  const cursor = Buffer.concat(chunks).toString('utf8').trim();
  return cursor === '' ? null : cursor;
}

/** Run the journal reader after the stored cursor and stage what it printed. */
export async function collectJournal(
  root: WD,
  config: JournalConfig,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CollectSummary> {
  const program = journalProgram(config.journalctl_command, env);
  checkExtraArgs(config.extra_args);
  const cursor = await readCursor(root, config.pond_path);
  const batches = new Batches(root.fs.persistence.cacheDir);
  try {
    let entries = 0;
    let skipped = 0;
    let last: string | null = null;
    const onLine = async (line: string) => {
      if (line.trim() === '') return;
      const entry = parseEntry(line);
      if (!entry) {
        skipped++;
        return;
      }
      const name = destination(entry, config.collect_kernel);
      await batches.add(name, line, eventTime(entry, config.timestamp_field));
      last = text(entry.__CURSOR) ?? last;
      entries++;
    };
    await runJournal(program, journalArgs(cursor, config.extra_args), env, onLine);
    if (entries === 0) return { entries, skipped, files: 0, cursor };
    await root.mkdir(config.pond_path, { parents: true });
    for (const name of batches.names()) {
      const { source, min, max } = await batches.content(name);
      await root.writeFile(join(config.pond_path, name), source, {
        entryType: EntryType.FilePhysicalSeries,
        meta:
          min !== null
            ? {
                minEventTime: min,
                maxEventTime: max,
                extendedAttributes: seriesAttributes(config.timestamp_field),
              }
            : {},
      });
    }
    const next: string | null = last;
    if (next !== null && next !== cursor) {
      await root.writeFile(
        join(config.pond_path, CURSOR_FILE),
        { kind: 'bytes', bytes: Buffer.from(next, 'utf8') },
        { entryType: EntryType.FilePhysicalVersion },
      );
    }
    return { entries, skipped, files: batches.size, cursor: next ?? cursor };
  } finally {
    await batches.close();
  }
}

/** The `status` text: the cursor and the collected files (stdout, as the original prints it). */
export async function statusText(root: WD, pondPath: string): Promise<string> {
  const cursor = await readCursor(root, pondPath);
  const lines = [`Cursor: ${cursor ?? '(none -- will collect from beginning)'}`];
  const dir = await root.find(pondPath);
  if (dir?.node.kind !== 'directory') {
    lines.push('No log files collected yet (directory does not exist).');
  } else {
    const names = (await dir.node.dir.entries())
      .map(([name]) => name)
      .filter((name) => name !== CURSOR_FILE)
      .sort();
    if (names.length === 0) lines.push('No log files collected yet.');
    else lines.push(`Log files (${names.length}):`, ...names.map((n) => `  ${n}`));
  }
  return `${lines.join('\n')}\n`;
}

// SPDX-License-Identifier: Apache-2.0
/**
 * A remote as the layout in `layout.ts` reads and writes it: which pond it belongs to, its
 * newest complete push (the tip) and the files it holds, verified downloads. Every loop is
 * bounded by what the remote lists.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import { ObjectStoreHandle, type RemoteOptions } from '../native/remote.js';
import {
  applyRecord,
  type FileEntry,
  type FileMap,
  FORMAT,
  HEAD_KEY,
  objectKey,
  POND_KEY,
  type PondMeta,
  type PushRecord,
} from './layout.js';

/** A remote's newest complete push. */
export interface Tip {
  /** The record's key; null for a remote nothing was pushed to. */
  readonly key: string | null;
  readonly record: PushRecord | null;
  readonly files: FileMap;
}

export const EMPTY_TIP: Tip = { key: null, record: null, files: new Map() };

/** The chain a tip may follow back to a full record (a full one comes every FULL_EVERY). */
const MAX_CHAIN = 10_000;

export class RemoteStore {
  readonly objects: ObjectStoreHandle;

  constructor(
    readonly url: string,
    options: RemoteOptions,
  ) {
    this.objects = ObjectStoreHandle.open(url, options);
  }

  private async json<T>(key: string): Promise<T | null> {
    const bytes = await this.objects.getBytes(key);
    if (bytes === null) return null;
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch {
      throw new PondError(ErrorCode.CORRUPT, `${this.url}: ${key} is not valid JSON`);
    }
  }

  /** The pond this remote belongs to, or null for an empty remote. */
  async meta(): Promise<PondMeta | null> {
    const meta = await this.json<PondMeta>(POND_KEY);
    if (meta && meta.format !== FORMAT) {
      throw new PondError(
        ErrorCode.INVALID_DATA,
        `${this.url}: not a pond remote of a format this pond knows (${meta.format})`,
      );
    }
    return meta;
  }

  /** Claim an empty remote for `pondId`; refuse one that belongs to another pond. */
  async claim(pondId: string): Promise<void> {
    const meta = await this.meta();
    if (meta === null) {
      const existing = await this.objects.list('');
      if (existing.length > 0) {
        throw new PondError(
          ErrorCode.ALREADY_EXISTS,
          `${this.url}: holds ${existing.length} objects that are not a pond remote; choose an empty location`,
        );
      }
      await this.objects.putBytes(POND_KEY, json({ format: FORMAT, pond_id: pondId }));
      return;
    }
    if (meta.pond_id !== pondId) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `${this.url}: belongs to pond ${meta.pond_id}, not this pond (${pondId}); a remote holds one pond`,
      );
    }
  }

  /** The newest complete push, following records back to a full one (`cached` is reused
   * when it is still the tip). */
  async tip(cached: Tip | null = null): Promise<Tip> {
    const head = await this.json<{ push: string }>(HEAD_KEY);
    if (head === null) return EMPTY_TIP;
    if (cached?.key === head.push) return cached;
    const chain: PushRecord[] = [];
    for (let key: string | null = head.push; key !== null; ) {
      if (chain.length >= MAX_CHAIN) {
        throw new PondError(ErrorCode.CORRUPT, `${this.url}: push records form no chain`);
      }
      const record: PushRecord | null = await this.json<PushRecord>(key);
      if (record === null) {
        throw new PondError(ErrorCode.CORRUPT, `${this.url}: push record ${key} is missing`, {
          path: key,
        });
      }
      chain.push(record);
      key = record.full ? null : record.parent;
    }
    let files: FileMap = new Map();
    for (const record of chain.reverse()) files = applyRecord(files, record);
    return { key: head.push, record: chain[chain.length - 1] ?? null, files };
  }

  /** Store a push record (not yet the tip); resolves to its size. */
  async putRecord(key: string, record: PushRecord): Promise<number> {
    const bytes = json(record);
    await this.objects.putBytes(key, bytes);
    return bytes.length;
  }

  /** Make a stored record the tip: a push is complete only once HEAD names it. */
  async setHead(key: string): Promise<number> {
    const bytes = json({ push: key });
    await this.objects.putBytes(HEAD_KEY, bytes);
    return bytes.length;
  }

  /**
   * Download `entry`'s content into host file `target`, refusing bytes that do not hash to
   * it: a corrupt remote object is CORRUPT, naming the object and the file it holds.
   */
  async fetch(entry: FileEntry, path: string, target: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const key = objectKey(entry.blake3);
    const got = await this.objects.getFile(key, target).catch((err: unknown) => {
      if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) {
        throw new PondError(ErrorCode.CORRUPT, `${this.url}: object ${key} (${path}) is missing`, {
          path: key,
        });
      }
      throw err;
    });
    if (got.blake3 !== entry.blake3 || got.size !== entry.size) {
      await rm(target, { force: true });
      throw new PondError(
        ErrorCode.CORRUPT,
        `${this.url}: object ${key} (${path}) is corrupt: ${got.size} bytes hashing to ${got.blake3}`,
        { path: key },
      );
    }
  }
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value)}\n`);
}

/** A tip remembered between runs, in the pond's cache (a remote tip is only ever reused
 * when the remote's HEAD still names it). */
export async function loadTip(file: string): Promise<Tip | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const saved = JSON.parse(text) as {
      key: string;
      record: PushRecord;
      files: [string, FileEntry][];
    };
    return { key: saved.key, record: saved.record, files: new Map(saved.files) };
  } catch {
    return null;
  }
}

export async function saveTip(file: string, tip: Tip): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomUUID()}`;
  await writeFile(tmp, JSON.stringify({ key: tip.key, record: tip.record, files: [...tip.files] }));
  await rename(tmp, file);
}

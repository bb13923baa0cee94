// SPDX-License-Identifier: Apache-2.0
/**
 * Loads the private napi addon (`native/duckpond.<platform>.node`) and describes its
 * surface. This directory is the only importer of the addon; everything else goes
 * through the wrappers in `store.ts`, which also turn addon errors into `PondError`s.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, PondError } from '../errors.js';

export interface ReadRowsOptions {
  partId: string;
  nodeId?: string;
  version?: number;
  tableVersion?: number;
  withContent?: boolean;
  metadataContent?: boolean;
}

export interface StoredContentRaw {
  blake3: string;
  size: number;
  inline?: Buffer | null;
}

export interface CommitRecord {
  version: number;
  timestamp?: number | null;
  operation?: string | null;
  /** pond's commit metadata as JSON (`pond_txn` / `pond_control`). */
  meta?: string | null;
}

export interface TableStats {
  version: number;
  files: number;
  bytes: number;
  partitions: number;
  logFiles: number;
  checkpointVersion?: number | null;
}

export interface MaintainOptions {
  compact?: boolean;
  vacuum?: boolean;
  cleanupLogs?: boolean;
  retentionMs?: number;
  metaJson: string;
  largeReferenced?: string[];
}

export interface MaintainReport {
  before: TableStats;
  after: TableStats;
  filesCompacted: number;
  filesWritten: number;
  partitionsCompacted: number;
  filesVacuumed: number;
  logsRemoved: number;
  largeRemoved: number;
  largeBytesRemoved: number;
}

export interface NativeControl {
  append(rows: Buffer, metaJson: string): Promise<number>;
  read(): Promise<Buffer>;
  history(limit?: number): Promise<CommitRecord[]>;
}

export interface NativeContentWriter {
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<StoredContentRaw>;
  discard(): Promise<void>;
}

export interface NativeContentReader {
  next(): Promise<Buffer | null>;
}

export interface NativeTxn {
  storeFile(path: string): Promise<StoredContentRaw>;
  storeBytes(bytes: Buffer): Promise<StoredContentRaw>;
  contentWriter(): NativeContentWriter;
  commit(rows: Buffer, metaJson: string): Promise<number>;
  release(): void;
}

export interface NativeStore {
  readonly version: number;
  readonly path: string;
  pondId(): Promise<string | null>;
  refresh(): Promise<number>;
  readRows(options: ReadRowsOptions): Promise<Buffer>;
  history(limit?: number): Promise<CommitRecord[]>;
  begin(waitMs?: number): Promise<NativeTxn>;
  openContent(blake3: string, verify?: boolean): Promise<NativeContentReader>;
  exportContent(blake3: string, dest: string, verify?: boolean): Promise<void>;
  hashContent(blake3: string): Promise<string>;
  partitions(): Promise<string[]>;
  contentSize(blake3: string): Promise<number | null>;
}

export interface Binding {
  NativeEngine: unknown;
  blake3Hex(bytes: Buffer): string;
  renderTemplate(template: string, contextJson: string): string;
  tableStats(dir: string): Promise<TableStats>;
  maintainTable(dir: string, options: MaintainOptions): Promise<MaintainReport>;
  NativeControl: { open(pond: string): Promise<NativeControl> };
  NativeStore: {
    open(pond: string): Promise<NativeStore>;
    create(pond: string, rows: Buffer, metaJson: string): Promise<NativeStore>;
  };
}

/** The napi platform suffix of this process, e.g. `linux-x64-gnu`. */
export function platformTriple(): string {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const report = process.report?.getReport() as
      | { header?: { glibcVersionRuntime?: string } }
      | undefined;
    return `linux-${arch}-${report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

let binding: Binding | undefined;

/** The addon, loaded on first use (so `pond --help` never pays for it). */
export function addon(): Binding {
  if (binding) return binding;
  const require = createRequire(import.meta.url);
  const triple = platformTriple();
  const here = dirname(fileURLToPath(import.meta.url));
  const local = join(here, '..', '..', 'native', `duckpond.${triple}.node`);
  const candidates = [local, `duckpond-${triple}`];
  const errors: string[] = [];
  for (const candidate of candidates) {
    if (candidate === local && !existsSync(local)) {
      errors.push(`${local}: not built (run npm run build:native)`);
      continue;
    }
    try {
      binding = require(candidate) as Binding;
      return binding;
    } catch (err) {
      errors.push(`${candidate}: ${(err as Error).message}`);
    }
  }
  throw new PondError(
    ErrorCode.INTERNAL,
    `cannot load pond's native addon for ${triple}:\n  ${errors.join('\n  ')}`,
  );
}

const PREFIX = /^\[([A-Z_]+)\] ([\s\S]*)$/;

/** Turn an addon rejection (`[CODE] message`) into a PondError with that code. */
export function rehydrate(err: unknown): PondError {
  if (err instanceof PondError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const m = PREFIX.exec(message);
  const code =
    m && (Object.values(ErrorCode) as string[]).includes(m[1] as string)
      ? (m[1] as ErrorCode)
      : ErrorCode.INTERNAL;
  return new PondError(code, m ? (m[2] as string) : message, { cause: err });
}

/** Await an addon call, rehydrating its error. */
export async function call<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw rehydrate(err);
  }
}

// SPDX-License-Identifier: Apache-2.0
/**
 * The lines of one journal-ingest run, grouped by destination file, in bounded memory: once
 * the buffered lines pass {@link SPILL_BYTES}, every group's lines move to a temporary file
 * of its own (in the pond's cache directory), and a group that spilled is stored from its
 * file, streamed by the store. A first run over a large journal therefore never holds it all.
 */

import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentSource } from '../../tinyfs/persistence.js';

/** Buffered bytes past which lines go to temporary files. */
export const SPILL_BYTES = 16 * 1024 * 1024;

/** One destination's lines and their event-time range. */
interface Group {
  lines: string[];
  bytes: number;
  file: string | null;
  min: number | null;
  max: number | null;
}

export class Batches {
  private readonly groups = new Map<string, Group>();
  private buffered = 0;
  private dir: string | null = null;

  constructor(
    private readonly scratchBase: string = tmpdir(),
    private readonly spillBytes: number = SPILL_BYTES,
  ) {}

  /** Add `line` to `name`'s group, with its event time if it has one. */
  async add(name: string, line: string, time: number | null): Promise<void> {
    const group = this.groups.get(name) ?? {
      lines: [],
      bytes: 0,
      file: null,
      min: null,
      max: null,
    };
    this.groups.set(name, group);
    group.lines.push(line);
    const size = Buffer.byteLength(line) + 1;
    group.bytes += size;
    this.buffered += size;
    if (time !== null) {
      group.min = group.min === null ? time : Math.min(group.min, time);
      group.max = group.max === null ? time : Math.max(group.max, time);
    }
    if (this.buffered > this.spillBytes) await this.spill();
  }

  get size(): number {
    return this.groups.size;
  }

  /** Destination names, sorted. */
  names(): string[] {
    return [...this.groups.keys()].sort();
  }

  /** `name`'s content to store (bytes, or its spilled file) and its event-time range. */
  async content(
    name: string,
  ): Promise<{ source: ContentSource; min: number | null; max: number | null }> {
    const group = this.groups.get(name) as Group;
    if (group.file === null) {
      const bytes = Buffer.from(group.lines.map((l) => `${l}\n`).join(''), 'utf8');
      return { source: { kind: 'bytes', bytes }, min: group.min, max: group.max };
    }
    await this.flush(group);
    return { source: { kind: 'hostFile', path: group.file }, min: group.min, max: group.max };
  }

  /** Remove the temporary files. */
  async close(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private async spill(): Promise<void> {
    if (this.dir === null) {
      await mkdir(this.scratchBase, { recursive: true });
      this.dir = await mkdtemp(join(this.scratchBase, 'journal-'));
    }
    let n = 0;
    for (const group of this.groups.values()) {
      group.file ??= join(this.dir, `${n}.jsonl`);
      n++;
      await this.flush(group);
    }
    this.buffered = 0;
  }

  private async flush(group: Group): Promise<void> {
    if (group.lines.length === 0 || group.file === null) return;
    await appendFile(group.file, group.lines.map((l) => `${l}\n`).join(''));
    group.lines = [];
  }
}

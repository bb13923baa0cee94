// SPDX-License-Identifier: Apache-2.0
// A seeded run of random transactions (mkdir, write, rm, mv, symlink) on a real pond: after
// each commit the tree and every file's bytes are recorded; then the pond as of every
// transaction, before and after compaction, must show exactly what was recorded then.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pond, type PondView } from '../../ts/index.js';
import { prng } from '../fuzz.js';
import { tempDir } from '../helpers.js';

interface State {
  readonly seq: number;
  readonly entries: string[];
  readonly files: Map<string, string>;
}

async function capture(view: PondView, seq: number): Promise<State> {
  const list = await view.list();
  const files = new Map<string, string>();
  for (const e of list) {
    if (e.entryType === 'file:physical:version' && e.target === undefined) {
      files.set(e.path, new TextDecoder().decode(await view.read(e.path)));
    }
  }
  return {
    seq,
    entries: list.map((e) => `${e.path} ${e.nodeId} v${e.version} ${e.target ?? ''}`),
    files,
  };
}

describe('time travel replays history exactly', () => {
  it('matches the recorded state after each of 40 random transactions', async () => {
    const pond = await Pond.create(join(await tempDir(), 'pond'));
    const rand = prng(0x16a5);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    const states: State[] = [];
    const ops = [0, 0, 0, 0, 0, 0];
    for (let t = 0; t < 40; t++) {
      const before = await pond.list();
      const dirs = [
        '/',
        ...before.filter((e) => e.entryType === 'dir:physical').map((e) => e.path),
      ];
      const nodes = before.map((e) => e.path);
      const files = before.filter((e) => e.entryType === 'file:physical:version' && !e.target);
      const child = (dir: string) => `${dir === '/' ? '' : dir}/n${t}`;
      await pond.transaction(async (tx) => {
        const drawn = nodes.length < 3 ? 0 : Math.floor(rand() * 6);
        const op = drawn > 1 && files.length === 0 ? 1 : drawn;
        ops[op] = (ops[op] ?? 0) + 1;
        if (op === 0) await tx.mkdir(child(pick(dirs)));
        else if (op === 1) await tx.write(child(pick(dirs)), `new ${t}`);
        else if (op === 2) await tx.write(pick(files).path, `version at ${t}`);
        else if (op === 3) await tx.rm(pick(nodes), { recursive: true });
        else if (op === 4) {
          const src = pick(nodes);
          const into = pick(dirs.filter((d) => d !== src && !d.startsWith(`${src}/`)));
          await tx.mv(src, child(into));
        } else await tx.symlink(pick(nodes), child(pick(dirs)));
      });
      const seq = (await pond.transactions()).at(-1)?.seq as number;
      states.push(await capture(pond, seq));
    }
    // every kind of change happened: mkdir, new file, new version, rm, mv, symlink
    expect(
      ops.every((n) => n > 0),
      `ops ${ops}`,
    ).toBe(true);
    const check = async () => {
      for (const state of states) {
        const then = await capture(await pond.at(state.seq), state.seq);
        expect(then.entries, `as of ${state.seq}`).toEqual(state.entries);
        expect(then.files, `as of ${state.seq}`).toEqual(state.files);
      }
    };
    await check();
    await pond.maintain({ compact: true, retentionMs: 0 });
    await check();
    expect((await pond.fsck()).problems).toEqual([]);
  });
});

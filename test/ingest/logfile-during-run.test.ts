// SPDX-License-Identifier: Apache-2.0
/**
 * logfile-ingest when the host changes between a run's steps: the run's hook fires after
 * every host file is opened and sized and before anything is read, and the test rotates or
 * truncates the log right there (no sleeps: the hook is the barrier).
 */

import { appendFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { type IngestHooks, ingestLogs } from '../../ts/ingest/logfile/ingest.js';
import { Pond } from '../../ts/pond.js';
import { collect } from '../../ts/tinyfs/persistence.js';
import { codeOf, dataVersion, pondAndHost } from '../helpers.js';

const config = (host: string) => ({
  archived_pattern: join(host, 'app.log-*'),
  active_pattern: join(host, 'app.log'),
  pond_path: '/logs',
});

async function run(p: string, host: string, hooks: IngestHooks = {}) {
  const pond = await Pond.open(p);
  const result = await pond.writeTree(['run', 'test'], (root) =>
    ingestLogs(root, config(host), '/', hooks),
  );
  return result.value;
}

async function versionsOf(p: string, path: string): Promise<string[]> {
  const root = await (await Pond.open(p)).tree();
  const np = await root.file(path);
  const out: string[] = [];
  for (const v of await np.node.file.versions()) {
    out.push(Buffer.from(await collect(np.node.file.read(v.version))).toString('utf8'));
  }
  return out;
}

describe('logfile-ingest during a run', () => {
  it('reads a log rotated mid-run as the file it opened, and follows the rotation next run', async () => {
    const { p, host } = await pondAndHost();
    const active = join(host, 'app.log');
    await writeFile(active, 'a1\n');
    await run(p, host);
    await appendFile(active, 'a2\n');
    let fired = false;
    const summary = await run(p, host, {
      async afterOpen(logs) {
        expect(logs.map((l) => [l.name, l.size])).toEqual([['app.log', 6]]);
        // logrotate renames the live file; its writer still appends to the renamed one.
        await rename(active, join(host, 'app.log-1'));
        await appendFile(join(host, 'app.log-1'), 'a3\n');
        await writeFile(active, 'b1 longer than before\n');
        fired = true;
      },
    });
    expect(fired).toBe(true);
    expect(summary).toMatchObject({ appended: 1, rotated: 0, bytes: 3 });
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['a1\n', 'a2\n']);

    const next = await run(p, host);
    expect(next).toMatchObject({ created: 1, rotated: 1, appended: 0 });
    expect(await versionsOf(p, '/logs/app.log-1')).toEqual(['a1\n', 'a2\n', 'a3\n']);
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['b1 longer than before\n']);
  });

  it('fails, committing nothing, when the log is truncated mid-run (copytruncate)', async () => {
    const { p, host } = await pondAndHost();
    const active = join(host, 'app.log');
    await writeFile(active, 'first\n');
    await run(p, host);
    await appendFile(active, 'second\n');
    const before = await dataVersion(p);
    const failed = run(p, host, {
      async afterOpen() {
        await truncate(active, 0);
      },
    });
    expect(await codeOf(failed)).toBe(ErrorCode.INVALID_DATA);
    await expect(failed).rejects.toMatchObject({ path: active });
    expect(await dataVersion(p)).toBe(before);
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['first\n']);
  });

  it('stores only the bytes there were when the run opened the log; the rest comes next run', async () => {
    const { p, host } = await pondAndHost();
    const active = join(host, 'app.log');
    await writeFile(active, 'one\n');
    const first = await run(p, host, {
      async afterOpen() {
        await appendFile(active, 'two\n');
      },
    });
    expect(first).toMatchObject({ created: 1, bytes: 4 });
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['one\n']);
    expect(await run(p, host)).toMatchObject({ appended: 1, bytes: 4 });
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['one\n', 'two\n']);
  });
});

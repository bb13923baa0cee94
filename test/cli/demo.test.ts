// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pondOk, tempDir } from '../helpers.js';

describe('pond demo', () => {
  it('builds a sample pond and shows a pruned query over it', async () => {
    const dir = join(await tempDir(), 'demo');
    const out = (await pondOk(undefined, 'demo', dir)).stdout;
    expect(out).toContain(`Created a demo pond at ${dir}`);
    expect(out).toMatch(
      /\[SER\]\s+\d+(\.\d)? [KMGT]?B\s+\S+\s+v2\s+.*\/sensors\/well-north\/levels\.series/,
    );
    expect(out).toMatch(/\| north \| 144\s+\|/);
    expect(out).toContain('Summary: 2 total rows');
    expect(out.match(/versions=2 versions_skipped=1/g)).toHaveLength(2);
    expect(out).toContain('Post-commit: /system/run/mirror (copy-out, push)');
    expect(out).toMatch(/^v2 +txn 3 .* 144 rows$/m);
    expect(out).toMatch(/\| 144 +\|\n.*\n.*Summary: 1 total rows/);
    // the collector took the host's access log in, and the weblog format reads it
    expect(out).toMatch(/\| 200 +\| 18 +\|\n\| 404 +\| 6 +\|/);
    const logged = await pondOk(dir, 'cat', '/logs/pump-house/access.log');
    expect(logged.stdout).toBe(await readFile(join(dir, 'host-logs', 'access.log'), 'utf8'));
    // the mirror ran after the commit that created it: the series arrive as Parquet
    const mirrored = await readFile(join(dir, 'mirror', 'sensors', 'well-north', 'levels.series'));
    expect(mirrored.subarray(0, 4).toString()).toBe('PAR1');
    const log = (await pondOk(dir, 'log')).stdout;
    expect(log).toContain(`pond init --birthplace demo\n`);
    expect(log).toContain(`pond demo ${dir} --day=2\n`);
  });
});

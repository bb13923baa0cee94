// SPDX-License-Identifier: Apache-2.0
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from './helpers.js';

describe('examples/', () => {
  it('quickstart.mjs runs and prints its query', async () => {
    const out = execFileSync(
      process.execPath,
      [join(REPO, 'examples', 'quickstart.mjs'), join(await tempDir(), 'p')],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain('readings=3 mean_level=12.23');
    expect(out).toContain('file:physical:version  v1 /wells/north/levels.csv');
  });
});

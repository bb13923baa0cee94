// SPDX-License-Identifier: Apache-2.0
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pondOk, tempDir } from '../helpers.js';

const SYNTHETIC = [
  'start: 2024-01-01T00:00:00Z',
  'end: 2024-01-01T01:00:00Z',
  'interval: 10m',
  'points:',
  '  - name: temp',
  '    components: [{type: line, slope: 1}]',
  '',
].join('\n');

const DERIVED_TABLE = 'patterns:\n  source: /syn\nquery: SELECT * FROM source\n';

describe('pond list markers (shared/REFERENCE.md)', () => {
  it('marks dynamic series [SER] and dynamic tables [TBL]', async () => {
    const dir = await tempDir();
    const p = join(dir, 'pond');
    await pondOk(p, 'init');
    await writeFile(join(dir, 'syn.yaml'), SYNTHETIC);
    await writeFile(join(dir, 'tbl.yaml'), DERIVED_TABLE);
    await pondOk(p, 'mknod', 'synthetic-timeseries', '/syn', join(dir, 'syn.yaml'));
    await pondOk(p, 'mknod', 'sql-derived-table', '/tbl', join(dir, 'tbl.yaml'));
    const lines = (await pondOk(p, 'list')).stdout.trim().split('\n');
    const markers = Object.fromEntries(
      lines.map((l) => [l.split(/\s+/).at(-1), l.split(/\s+/)[0]]),
    );
    expect(markers).toEqual({ '/syn': '[SER]', '/tbl': '[TBL]' });
  });
});

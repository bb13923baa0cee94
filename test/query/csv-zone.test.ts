// SPDX-License-Identifier: Apache-2.0
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pondOk, tempDir } from '../helpers.js';

describe('CSV type inference', () => {
  it('reads inferred timestamps as UTC-zoned', async () => {
    const host = await tempDir();
    await writeFile(join(host, 't.csv'), 't,v\n2024-01-01T00:00:00,1\n2024-01-02T00:00:00,2\n');
    const sql = 'SELECT arrow_typeof(t) AS ty, CAST(t AS VARCHAR) AS s FROM source ORDER BY t';
    const out = await pondOk(
      undefined,
      'cat',
      `host+csv://${host}/t.csv`,
      '--format',
      'csv',
      '--sql',
      sql,
    );
    const rows = out.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/^"Timestamp\(\w+, ""UTC""\)",/);
    expect(rows[0]).toContain('2024-01-01T00:00:00');
  });
});

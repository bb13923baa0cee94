// SPDX-License-Identifier: Apache-2.0
/**
 * `--explain` (sql and cat): the SQL of every view the planner expanded, with its path,
 * before the engine's plan, and pond's pruning counters after it. Real ponds and DataFusion.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { expandedViews, scanCounters } from '../../ts/query/explain.js';
import type { TableSpec } from '../../ts/query/spec.js';
import { copyThreeDays, hostConfig, pondOk, pondProcess, tempDir } from '../helpers.js';

let p = '';
let host = '';
const query = 'SELECT timestamp, n * 2 AS twice FROM source WHERE n % 2 = 0';

beforeEach(async () => {
  const dir = await tempDir();
  p = join(dir, 'pond');
  host = join(dir, 'host');
  await (await import('node:fs/promises')).mkdir(host);
  await pondOk(p, 'init');
  await copyThreeDays(p, host, '/s');
  const config = await hostConfig(host, 'even', `patterns:\n  source: /s\nquery: "${query}"\n`);
  await pondOk(p, 'mknod', 'sql-derived-series', '/even', config);
});

/** The sections of an explain text, by their header lines, in order. */
function sections(text: string): string[] {
  return text.split('\n').filter((l) => /^[A-Z][A-Za-z]*:$/.test(l));
}

describe('--explain', () => {
  it('prints each expanded view with its path before the plan, and the counters after', async () => {
    const sql = `SELECT * FROM '/even' WHERE timestamp >= '2024-01-02T00:00:00Z'`;
    const out = (await pondOk(p, 'sql', sql, '--explain')).stdout;
    expect(sections(out)).toEqual(['SQL:', 'Tables:', 'Views:', 'Schema:', 'Plan:', 'Pruning:']);
    const views = out.slice(out.indexOf('Views:'), out.indexOf('Schema:'));
    expect(views).toContain(`  /even:\n    ${query}\n`);
    expect(views).toContain('    -- source: /s (parquet, 3 files)');
    const pruning = out.slice(out.indexOf('Pruning:'));
    expect(pruning).toMatch(
      /^ {2}\/s: versions 3, skipped 1; row groups \d+, pruned \d+; event time \[2024-01-02T00:00:00\.000Z, open\]$/m,
    );
  });

  it('does the same for cat --explain, whose table is "source"', async () => {
    const run = await pondProcess(p, ['cat', '/even', '--explain']);
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(sections(out)).toEqual(['SQL:', 'Tables:', 'Views:', 'Schema:', 'Plan:', 'Pruning:']);
    expect(out).toContain('SQL:\n  SELECT * FROM source\nTables:\n  source: /even (view)\n');
    expect(out).toContain('  /even:\n');
    expect(out).toMatch(/^ {2}\/s: versions 3, skipped 0;/m);
  });

  it('shows a series bounds as the view that keeps its rows within them', async () => {
    await pondOk(p, 'set-temporal-bounds', '/s', '--min-time', '2024-01-03T00:00:00Z');
    const out = (await pondOk(p, 'sql', `SELECT count(*) FROM '/even'`, '--explain')).stdout;
    expect(out).toContain('  /s (temporal bounds [2024-01-03 00:00:00 UTC, open]):\n');
    expect(out).toContain(`"timestamp" >= arrow_cast(${Date.parse('2024-01-03T00:00:00Z')}, `);
    expect(out).toMatch(/^ {2}\/s: versions 3, skipped 2;/m);
  });

  it('lists views depth first and reads the counters of every scan line', () => {
    const leaf: TableSpec = { kind: 'parquet', label: '/a', files: [] };
    const inner: TableSpec = { kind: 'view', label: '/in', sql: 'SELECT 1', tables: { a: leaf } };
    const specs: Record<string, TableSpec> = {
      x: { kind: 'view', label: '/out', sql: 'SELECT * FROM i', tables: { i: inner } },
      y: { kind: 'union', label: '/u', inputs: [leaf, { ...inner, label: '/in2' }] },
    };
    expect(expandedViews(specs).map((v) => [v.label, v.tables.map((t) => t.label)])).toEqual([
      ['/out', ['/in (view)']],
      ['/in', ['/a (parquet, 0 files)']],
      ['/in2', ['/a (parquet, 0 files)']],
    ]);
    const plan = [
      '  PondScanExec: source=/a b versions=3 versions_skipped=1 row_groups=4 row_groups_pruned=2 time_us=[5, -]',
      '    PondScanExec: source=/c versions=1 versions_skipped=0 row_groups=1 row_groups_pruned=0 inner=DataSourceExec: x',
    ].join('\n');
    expect(scanCounters(plan)).toEqual([
      {
        label: '/a b',
        versions: 3,
        versionsSkipped: 1,
        rowGroups: 4,
        rowGroupsPruned: 2,
        timeUs: [5, null],
      },
      { label: '/c', versions: 1, versionsSkipped: 0, rowGroups: 1, rowGroupsPruned: 0 },
    ]);
  });
});

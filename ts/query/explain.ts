// SPDX-License-Identifier: Apache-2.0
/**
 * What `--explain` prints (`pond sql --explain`, `pond cat --explain`): the statement, the
 * tables it names, the SQL of every view the planner expanded for them (derived nodes,
 * joins, rollups, temporal bounds), each with its path and the tables it reads, then the
 * engine's schema and physical plan, then pond's pruning counters per scan. Views are read
 * off the planned specs; the counters off the plan's `PondScanExec` lines, which the addon
 * writes in one fixed form (`native/src/query/parquet.rs`, `ScanReport`).
 */

import { explain, type QueryOptions } from '../native/engine.js';
import { scrubText, secretsWithin } from '../secrets.js';
import type { TableSpec } from './spec.js';

/** One view the planner expanded, outermost first. */
export interface ExpandedView {
  readonly label: string;
  readonly sql: string;
  /** The table names its SQL reads, with what each stands for. */
  readonly tables: readonly { readonly name: string; readonly label: string }[];
}

/** A spec as a one-line summary: its label and kind. */
function summary(spec: TableSpec): string {
  switch (spec.kind) {
    case 'parquet':
      return `${spec.label} (parquet, ${spec.files.length} ${spec.files.length === 1 ? 'file' : 'files'})`;
    case 'format':
      return `${spec.label} (${spec.format})`;
    case 'union':
      return `${spec.label} (union of ${spec.inputs.length})`;
    case 'view':
      return `${spec.label} (view)`;
    case 'empty':
      return `${spec.label} (empty)`;
  }
}

/** The views under `specs`, depth first in the order the tables are named. */
export function expandedViews(specs: Readonly<Record<string, TableSpec>>): ExpandedView[] {
  const out: ExpandedView[] = [];
  const visit = (spec: TableSpec) => {
    if (spec.kind === 'union') for (const input of spec.inputs) visit(input);
    if (spec.kind !== 'view') return;
    const tables = Object.entries(spec.tables).map(([name, t]) => ({ name, label: summary(t) }));
    out.push({ label: spec.label, sql: spec.sql, tables });
    for (const inner of Object.values(spec.tables)) visit(inner);
  };
  for (const spec of Object.values(specs)) visit(spec);
  return out;
}

/** One `PondScanExec` line's counters. */
export interface ScanCounters {
  readonly label: string;
  readonly versions: number;
  readonly versionsSkipped: number;
  readonly rowGroups: number;
  readonly rowGroupsPruned: number;
  /** The event-time bounds the scan's filters set, µs (null: open); absent when none. */
  readonly timeUs?: readonly [number | null, number | null];
}

const SCAN =
  /PondScanExec: source=(.*) versions=(\d+) versions_skipped=(\d+) row_groups=(\d+) row_groups_pruned=(\d+)(?: time_us=\[(-?\d+|-), (-?\d+|-)\])?(?: inner=.*)?$/;

/** The counters of every pond scan in an EXPLAIN text, in plan order. */
export function scanCounters(plan: string): ScanCounters[] {
  const out: ScanCounters[] = [];
  for (const line of plan.split('\n')) {
    const m = SCAN.exec(line.trim());
    if (!m) continue;
    const end = (v: string | undefined) => (v === undefined || v === '-' ? null : Number(v));
    out.push({
      label: m[1] as string,
      versions: Number(m[2]),
      versionsSkipped: Number(m[3]),
      rowGroups: Number(m[4]),
      rowGroupsPruned: Number(m[5]),
      ...(m[6] === undefined ? {} : { timeUs: [end(m[6]), end(m[7])] as const }),
    });
  }
  return out;
}

const indent = (text: string, by: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');

/** An event-time bound of the counters as ISO text (µs kept when there are any). */
function isoMicros(us: number | null): string {
  if (us === null) return 'open';
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  const micros = ((us % 1000) + 1000) % 1000;
  return micros === 0 ? iso : iso.replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

function countersLine(c: ScanCounters): string {
  const parts = [
    `  ${c.label}: versions ${c.versions}, skipped ${c.versionsSkipped}`,
    `row groups ${c.rowGroups}, pruned ${c.rowGroupsPruned}`,
  ];
  if (c.timeUs) parts.push(`event time [${isoMicros(c.timeUs[0])}, ${isoMicros(c.timeUs[1])}]`);
  return parts.join('; ');
}

/** The full `--explain` text of `sql` over planned `specs` (see the module comment). */
export async function explainText(
  sql: string,
  specs: Readonly<Record<string, TableSpec>>,
  options: QueryOptions = {},
): Promise<string> {
  const plan = await explain(sql, specs, options);
  const lines = ['SQL:', indent(sql, '  ')];
  const names = Object.entries(specs);
  if (names.length > 0) {
    lines.push('Tables:', ...names.map(([name, spec]) => `  ${name}: ${summary(spec)}`));
  }
  const views = expandedViews(specs);
  if (views.length > 0) {
    lines.push('Views:');
    for (const v of views) {
      lines.push(`  ${v.label}:`, indent(v.sql, '    '));
      for (const t of v.tables) lines.push(`    -- ${t.name}: ${t.label}`);
    }
  }
  lines.push(plan.trimEnd());
  const scans = scanCounters(plan);
  if (scans.length > 0) lines.push('Pruning:', ...scans.map(countersLine));
  // Labels and views name host paths a config built from ${env:} values.
  return scrubText(`${lines.join('\n')}\n`, secretsWithin(specs));
}

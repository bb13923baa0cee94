// SPDX-License-Identifier: Apache-2.0
/**
 * `temporal-reduce`: a directory of downsampled series. Each `in_pattern` match maps to an
 * output directory `out_pattern` (captures `$0`...); matches mapping to one output are
 * unioned by name; each output holds `res=<R>.series` per resolution, with one column
 * `<col>.<agg>` per aggregated column and the time column binned epoch-anchored by
 * `date_bin`. Without `columns` an aggregation covers every numeric column; `count` over
 * `["*"]` counts rows; `*` globs in `columns` match column names. `in_pattern` is a pond
 * glob or URL (`series:///raw/*.series`, `csv:///in/*.csv`: each match read as the URL
 * says); `transforms` apply to each match before it is reduced.
 */

import { ErrorCode, PondError } from '../errors.js';
import type { TableSpec } from '../query/spec.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { NodePath } from '../tinyfs/fs.js';
import {
  captureNameProblem,
  compileGlob,
  matchSegment,
  substituteCaptures,
} from '../tinyfs/glob.js';
import type { Node } from '../tinyfs/node.js';
import { childRef } from '../tinyfs/node-id.js';
import { checkName } from '../tinyfs/path.js';
import { ConfigError, type Infer, list, obj, oneOf, str } from './config.js';
import { durationNanos, parseDuration } from './duration.js';
import { ComputedDirectory, computedTable } from './dynamic.js';
import {
  MATCHED_INPUT,
  matchSpec,
  pattern,
  patternOf,
  pondMatches,
  transformPaths,
} from './patterns.js';
import { defineFactory, type FactoryContext } from './registry.js';
import { finalSql, type Measure, partialSql } from './rollup.js';
import { incrementalRollup } from './rollup-cache.js';
import { applyTransforms, fieldsOf } from './transforms.js';

const AGGREGATES = ['avg', 'min', 'max', 'sum', 'count'] as const;

const aggregation = obj({ type: oneOf(...AGGREGATES) }, { columns: list(str) });
const config = obj(
  {
    in_pattern: pattern(MATCHED_INPUT),
    out_pattern: str,
    resolutions: list(str),
    aggregations: list(aggregation),
  },
  { time_column: str, allowed_lateness: str, transforms: transformPaths },
);
type Config = Infer<typeof config>;

/** The output columns of a reduce over `fields` (pure). */
export function measuresFor(
  c: Pick<Config, 'aggregations'>,
  fields: readonly { name: string; numeric: boolean }[],
  time: string,
): Measure[] {
  const out: Measure[] = [];
  const seen = new Set<string>();
  const add = (m: Measure) => {
    if (!seen.has(m.name)) {
      seen.add(m.name);
      out.push(m);
    }
  };
  for (const agg of c.aggregations) {
    if (agg.columns?.length === 1 && agg.columns[0] === '*' && agg.type === 'count') {
      add({ name: 'count', agg: 'count', column: null });
      continue;
    }
    const candidates = fields.filter((f) => f.name !== time && (agg.columns || f.numeric));
    const chosen = agg.columns
      ? candidates.filter((f) =>
          agg.columns?.some((pattern) => {
            const seg = compileGlob(pattern).segments[0];
            return seg ? matchSegment(seg, f.name) !== null : false;
          }),
        )
      : candidates;
    for (const f of chosen) add({ name: `${f.name}.${agg.type}`, agg: agg.type, column: f.name });
  }
  return out;
}

/** The whole reduce as one query (no cache): partials, then final values (pure). */
export function reduceSql(
  measures: readonly Measure[],
  time: string,
  resolutionMs: number,
): string {
  return finalSql(measures, time, `(${partialSql(measures, time, resolutionMs)})`);
}

/** How far behind the newest bucket late data may land (default 1d; `0s` seals at once). */
function latenessMs(c: Config): number {
  return Number(durationNanos(c.allowed_lateness ?? '1d', 'allowed_lateness')) / 1e6;
}

interface Output {
  readonly name: string;
  /** The matches this output reduces; resolved to specs only when a resolution is read. */
  readonly inputs: NodePath[];
}

async function outputs(c: Config, ctx: FactoryContext): Promise<Output[]> {
  const byName = new Map<string, NodePath[]>();
  for await (const { np, captures } of pondMatches(patternOf(c.in_pattern), ctx.root)) {
    if (np.node.kind !== 'file') continue;
    const name = checkName(substituteCaptures(c.out_pattern, captures));
    const list = byName.get(name) ?? [];
    list.push(np);
    byName.set(name, list);
  }
  return [...byName.entries()].map(([name, inputs]) => ({ name, inputs }));
}

async function resolutionSpec(
  c: Config,
  ctx: FactoryContext,
  out: Output,
  resolution: string,
  label: string,
  visiting: readonly string[],
): Promise<TableSpec> {
  const time = c.time_column ?? 'timestamp';
  const plan = { ...ctx.plan, visiting };
  const source = patternOf(c.in_pattern);
  const inputs = await Promise.all(
    out.inputs.map(async (np) =>
      applyTransforms(await matchSpec(source, np, plan), c.transforms, ctx),
    ),
  );
  const input: TableSpec =
    inputs.length === 1 ? (inputs[0] as TableSpec) : { kind: 'union', label, inputs };
  const measuresOf = (fields: readonly { name: string; numeric: boolean }[]) => {
    if (!fields.some((f) => f.name === time)) {
      throw new PondError(
        ErrorCode.INVALID_CONFIG,
        `${label}: the inputs have no time column ${JSON.stringify(time)}`,
      );
    }
    return measuresFor(c, fields, time);
  };
  const resolutionMs = parseDuration(resolution, 'resolutions');
  const cacheDir = ctx.plan.cacheDir;
  if (cacheDir) {
    const incremental = await incrementalRollup({
      label,
      node: ctx.ref.id,
      nodePath: ctx.path,
      inputs,
      measuresOf,
      time,
      resolutionMs,
      latenessMs: latenessMs(c),
      cacheDir,
      key: `${ctx.ref.id}-${out.name.replace(/[^\w.-]/g, '_')}-${resolution}`,
    });
    if (incremental) return incremental;
  }
  const measures = measuresOf(await fieldsOf(input));
  return {
    kind: 'view',
    label,
    sql: reduceSql(measures, time, resolutionMs),
    tables: { input },
    orderBy: time,
  };
}

export const temporalReduce = defineFactory({
  name: 'temporal-reduce',
  description:
    'downsampled series per match and resolution: res=<R>.series with <col>.<agg> columns',
  config,
  check(c) {
    if (c.resolutions.length === 0) throw new ConfigError('resolutions: at least one is needed');
    for (const [i, r] of c.resolutions.entries()) parseDuration(r, `resolutions[${i}]`);
    latenessMs(c);
    if (c.aggregations.length === 0) throw new ConfigError('aggregations: at least one is needed');
    const problem = captureNameProblem(patternOf(c.in_pattern).glob, c.out_pattern);
    if (problem) throw new ConfigError(`out_pattern: ${problem}`);
  },
  async open(c, ctx) {
    return new ComputedDirectory(ctx.path, async () =>
      (await outputs(c, ctx)).map((out): [string, Node] => {
        const dirPath = `${ctx.path}/${out.name}`;
        const dirRef = childRef(ctx.ref, EntryType.DirectoryDynamic, out.name);
        const series = new ComputedDirectory(dirPath, async () =>
          c.resolutions.map((res): [string, Node] => {
            const name = `res=${res}.series`;
            const ref = childRef(dirRef, EntryType.TableDynamic, name);
            const path = `${dirPath}/${name}`;
            return [
              name,
              computedTable(ref, { ...ctx, path }, [], (visiting) =>
                resolutionSpec(c, ctx, out, res, path, visiting),
              ),
            ];
          }),
        );
        return [out.name, { kind: 'directory', ref: dirRef, dir: series }];
      }),
    );
  },
});

// SPDX-License-Identifier: Apache-2.0
/** The factories pond ships, as an explicit list; `defaultRegistry()` builds the registry. */

import { columnRename } from './column-rename.js';
import { copyOut } from './copy-out.js';
import { csvdir } from './csvdir.js';
import { dynamicDir } from './dynamic-dir.js';
import { hostmount } from './hostmount.js';
import { hydrovu } from './hydrovu.js';
import { journalIngest } from './journal-ingest.js';
import { logfileIngest } from './logfile-ingest.js';
import { pondImport } from './pond-import.js';
import { Registry } from './registry.js';
import { combine, sqlDerivedSeries, sqlDerivedTable } from './sql-derived.js';
import { syntheticTimeseries } from './synthetic-timeseries.js';
import { template } from './template.js';
import { temporalReduce } from './temporal-reduce.js';
import { timeseriesJoin } from './timeseries-join.js';
import { timeseriesPivot } from './timeseries-pivot.js';

export const FACTORIES = [
  hostmount,
  dynamicDir,
  sqlDerivedTable,
  sqlDerivedSeries,
  combine,
  csvdir,
  syntheticTimeseries,
  template,
  columnRename,
  timeseriesJoin,
  timeseriesPivot,
  temporalReduce,
  copyOut,
  pondImport,
  logfileIngest,
  journalIngest,
  hydrovu,
];

/** Names the seeds used, mapped to pond's factories. */
export const ALIASES = {
  dyndir: 'dynamic-dir',
  'sql-derived': 'sql-derived-series',
  scribble: 'synthetic-timeseries',
};

/**
 * A registry of the factories pond ships (and their aliases). Extend it with
 * `defaultRegistry().with(myFactory)` and pass it to `Pond.open`.
 */
export function defaultRegistry(): Registry {
  return new Registry(FACTORIES, ALIASES);
}

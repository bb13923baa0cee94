// SPDX-License-Identifier: Apache-2.0
/**
 * `logfile-ingest` (executable): host log files (rotated archives and the live file) into
 * `file:physical:series` files of a pond directory, appending only new bytes per run and
 * following rotations (REFERENCE-ORIGINAL §3.1; the protocol is `ts/ingest/logfile/`).
 * Arguments: none or `push` ingests, `pull` does nothing, `b3sum` prints checksums.
 */

import { collectorCommand } from '../ingest/command.js';
import { b3sumLines } from '../ingest/logfile/b3sum.js';
import { ingestLogs, summaryText } from '../ingest/logfile/ingest.js';
import { normalize } from '../tinyfs/path.js';
import { ConfigError, obj, str } from './config.js';
import { defineFactory } from './registry.js';

/** Host globs (relative ones under the host root) and the pond directory they go to. */
const config = obj({ archived_pattern: str, active_pattern: str, pond_path: str });

const KEYS = ['archived_pattern', 'active_pattern', 'pond_path'] as const;

export const logfileIngest = defineFactory({
  name: 'logfile-ingest',
  description:
    'append new bytes of host log files (archived and active globs) to series files, following rotations; args: push (default), pull, b3sum',
  config,
  check(config) {
    for (const key of KEYS) {
      if (config[key].trim() === '') throw new ConfigError(`${key}: must not be empty`);
    }
  },
  async run(config, ctx) {
    const command = collectorCommand('logfile-ingest', ctx, ['b3sum']);
    if (command === null) return;
    const pondPath = normalize(config.pond_path);
    if (command === 'b3sum') {
      ctx.out(await b3sumLines(ctx.root, pondPath));
      return;
    }
    const summary = await ingestLogs(ctx.root, { ...config, pond_path: pondPath }, ctx.hostRoot);
    ctx.out(summaryText(pondPath, summary));
  },
});

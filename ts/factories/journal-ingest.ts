// SPDX-License-Identifier: Apache-2.0
/**
 * `journal-ingest` (executable): systemd journal entries, read with this machine's
 * `journalctl` after a stored cursor, into one `file:physical:series` JSON-lines file per
 * unit (REFERENCE-ORIGINAL §3.2; the protocol and the trust rules for the program it runs
 * are in `ts/ingest/journal/`). Arguments: none or `push` collects, `pull` does nothing,
 * `status` prints the cursor and the collected files.
 */

import { collectorCommand } from '../ingest/command.js';
import { collectJournal, statusText } from '../ingest/journal/collect.js';
import { checkExtraArgs } from '../ingest/journal/command.js';
import { normalize } from '../tinyfs/path.js';
import { bool, ConfigError, list, obj, str } from './config.js';
import { defineFactory } from './registry.js';

const config = obj(
  { pond_path: str },
  { journalctl_command: str, collect_kernel: bool, timestamp_field: str, extra_args: list(str) },
);

export const journalIngest = defineFactory({
  name: 'journal-ingest',
  description:
    "collect systemd journal entries (this machine's journalctl, resumed at a stored cursor) into per-unit JSON-lines series; args: push (default), pull, status",
  config,
  check(config) {
    if (config.pond_path.trim() === '') throw new ConfigError('pond_path: must not be empty');
    if (config.journalctl_command?.trim() === '') {
      throw new ConfigError('journalctl_command: must not be empty');
    }
    checkExtraArgs(config.extra_args ?? []);
  },
  async run(config, ctx) {
    const command = collectorCommand('journal-ingest', ctx, ['status']);
    if (command === null) return;
    const pondPath = normalize(config.pond_path);
    if (command === 'status') {
      ctx.out(await statusText(ctx.root, pondPath));
      return;
    }
    const summary = await collectJournal(
      ctx.root,
      {
        pond_path: pondPath,
        journalctl_command: config.journalctl_command ?? 'journalctl',
        collect_kernel: config.collect_kernel ?? true,
        timestamp_field: config.timestamp_field ?? '__REALTIME_TIMESTAMP',
        extra_args: config.extra_args ?? [],
      },
      ctx.env,
    );
    const skipped = summary.skipped > 0 ? `, ${summary.skipped} unparseable lines skipped` : '';
    ctx.out(
      `journal-ingest ${pondPath}: ${summary.entries} entries into ${summary.files} files${skipped}\n`,
    );
  },
});

// SPDX-License-Identifier: Apache-2.0
/**
 * The subcommand of a collector that writes into a pond (`logfile-ingest`,
 * `journal-ingest`): one argument, `push` by default, `pull` doing nothing, and the
 * factory's own extras.
 */

import { ErrorCode, PondError } from '../errors.js';

/** What a collector's run is asked to do. */
export interface CollectorRun {
  readonly args: readonly string[];
  readonly inPond: boolean;
  readonly path: string;
}

/**
 * The run's subcommand: `push` (the default) or one of `extras`; null for `pull`, which
 * does nothing. Refuses any other argument, and a run that is not in a pond.
 */
export function collectorCommand(
  factory: string,
  run: CollectorRun,
  extras: readonly string[],
): string | null {
  const [command = 'push', ...rest] = run.args;
  const known = ['push', 'pull', ...extras];
  if (rest.length > 0 || !known.includes(command)) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${factory} takes one argument, push (the default), pull or ${extras.join(' or ')} (got ${run.args.join(' ')})`,
    );
  }
  if (command === 'pull') return null;
  if (!run.inPond) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${factory} writes into a pond; mknod it in one and pond run it there (${run.path})`,
    );
  }
  return command;
}

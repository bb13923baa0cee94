// SPDX-License-Identifier: Apache-2.0
/** Shared command-line options, and parsers for numeric ones (commander reports their errors). */

import { InvalidArgumentError, Option } from 'commander';
import { ErrorCode, PondError } from '../errors.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function nonNegativeSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('must be a number of seconds >= 0');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be an integer >= 0');
  return n;
}

export const METADATA_FORMATS = ['text', 'json'] as const;
export type MetadataFormat = (typeof METADATA_FORMATS)[number];

/** `--format text|json` of the commands that print metadata (json: one object per line). */
export function metadataFormatOption(): Option {
  return new Option('--format <format>', 'text, or json: one JSON object per line')
    .choices(METADATA_FORMATS)
    .default('text');
}

/** `--as-of N|TIME`: read the pond as it was after transaction N or at TIME. */
export function asOfOption(): Option {
  return new Option(
    '--as-of <seq|time>',
    'read the pond as it was after transaction N (a pond log seq) or at a time (RFC 3339, or a date = its midnight UTC)',
  );
}

/**
 * `--hostmount` lays mounts over the host namespace, which commands read when no pond is
 * selected; with `POND` set or `--pond` given it would be silently unused, so it is refused.
 */
export function checkHostmount(
  globals: { pond?: string; hostmount?: string[] },
  env: Readonly<Record<string, string | undefined>>,
): void {
  const mounts = globals.hostmount ?? [];
  if (mounts.length === 0) return;
  const selected = globals.pond !== undefined ? '--pond is given' : env.POND ? 'POND is set' : null;
  if (selected === null) return;
  throw new PondError(
    ErrorCode.INVALID_ARGUMENT,
    `--hostmount ${mounts[0]}: mounts apply in host mode, with no pond selected, but ${selected}; unset POND and drop --pond to read the host namespace, or drop --hostmount to use the pond`,
  );
}

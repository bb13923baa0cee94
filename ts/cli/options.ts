// SPDX-License-Identifier: Apache-2.0
/** Shared command-line options, and parsers for numeric ones (commander reports their errors). */

import { InvalidArgumentError, Option } from 'commander';

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

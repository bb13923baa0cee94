// SPDX-License-Identifier: Apache-2.0
/** Durations in configs: `500ms`, `30s`, `15m`, `1h`, `1d`, `1w` (or a number of seconds). */

import { ConfigError } from './config.js';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The duration in milliseconds; `where` names the config key in errors. */
export function parseDuration(value: string | number, where: string): number {
  if (typeof value === 'number') {
    if (!(value > 0)) throw new ConfigError(`${where}: a duration must be positive, got ${value}`);
    return value * 1000;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(value);
  if (!m || !(Number(m[1]) > 0)) {
    throw new ConfigError(
      `${where}: ${JSON.stringify(value)} is not a duration (e.g. 30s, 15m, 1h, 1d)`,
    );
  }
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

// SPDX-License-Identifier: Apache-2.0
/**
 * Durations in configs, in the original's humantime form: one or more spans of a number and
 * a unit, optionally separated by spaces (`90s`, `15m`, `1h30m`, `2h 37min`, `2d`, `500ms`).
 * Units: `ns`/`nsec`/`nanos`, `us`/`usec`/`µs`/`micros`, `ms`/`msec`/`millis`,
 * `s`/`sec`/`secs`/`second`/`seconds`, `m`/`min`/`mins`/`minute`/`minutes`,
 * `h`/`hr`/`hrs`/`hour`/`hours`, `d`/`day`/`days`, `w`/`week`/`weeks`, `M`/`month`/`months`
 * (30.44 days), `y`/`year`/`years` (365.25 days). Beyond the original, a span may have a
 * decimal fraction (`1.5h`) and a plain number is seconds. Computed exactly, in nanoseconds.
 */

import { ConfigError } from './config.js';

const NS = 1n;
const US = 1_000n;
const MS = 1_000_000n;
const S = 1_000_000_000n;

const UNITS: Readonly<Record<string, bigint>> = {
  ns: NS,
  nsec: NS,
  nanos: NS,
  us: US,
  usec: US,
  µs: US,
  micros: US,
  ms: MS,
  msec: MS,
  millis: MS,
  s: S,
  sec: S,
  secs: S,
  second: S,
  seconds: S,
  m: 60n * S,
  min: 60n * S,
  mins: 60n * S,
  minute: 60n * S,
  minutes: 60n * S,
  h: 3600n * S,
  hr: 3600n * S,
  hrs: 3600n * S,
  hour: 3600n * S,
  hours: 3600n * S,
  d: 86_400n * S,
  day: 86_400n * S,
  days: 86_400n * S,
  w: 604_800n * S,
  week: 604_800n * S,
  weeks: 604_800n * S,
  M: 2_630_016n * S,
  month: 2_630_016n * S,
  months: 2_630_016n * S,
  y: 31_557_600n * S,
  year: 31_557_600n * S,
  years: 31_557_600n * S,
};

const SPAN = /\s*(\d+)(?:\.(\d+))?\s*([A-Za-zµ]+)\s*/y;

function notADuration(value: string, where: string, why: string): ConfigError {
  return new ConfigError(
    `${where}: ${JSON.stringify(value)} is not a duration (${why}; e.g. 30s, 15m, 1h30m, 1d)`,
  );
}

/** The duration in whole nanoseconds (zero allowed); `where` names the key in errors. */
export function durationNanos(value: string | number, where: string): bigint {
  if (typeof value === 'number') {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new ConfigError(`${where}: a duration must not be negative, got ${value}`);
    }
    return BigInt(Math.round(value * 1e9));
  }
  if (value.trim() === '') throw notADuration(value, where, 'it is empty');
  let total = 0n;
  SPAN.lastIndex = 0;
  while (SPAN.lastIndex < value.length) {
    const at = SPAN.lastIndex;
    const m = SPAN.exec(value);
    if (!m)
      throw notADuration(
        value,
        where,
        `expected a number and a unit at ${JSON.stringify(value.slice(at))}`,
      );
    const unit = UNITS[m[3] as string];
    if (unit === undefined)
      throw notADuration(value, where, `unknown unit ${JSON.stringify(m[3])}`);
    const fraction = m[2] ?? '';
    const scaled = BigInt(`${m[1]}${fraction}`) * unit;
    total += scaled / 10n ** BigInt(fraction.length);
  }
  return total;
}

/** The duration in seconds as the original's `as_secs_f64` computes it (whole + fraction). */
export function durationSeconds(nanos: bigint): number {
  return Number(nanos / S) + Number(nanos % S) / 1e9;
}

/** A positive duration in milliseconds (fractional below 1 ms); `where` names the key. */
export function parseDuration(value: string | number, where: string): number {
  const nanos = durationNanos(value, where);
  if (nanos <= 0n) {
    throw new ConfigError(`${where}: a duration must be positive, got ${JSON.stringify(value)}`);
  }
  return Number(nanos) / 1e6;
}

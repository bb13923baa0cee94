// SPDX-License-Identifier: Apache-2.0
/**
 * Times as the original DuckPond's temporal commands write and read them
 * (REFERENCE-ORIGINAL §7.2-§7.3): `--min-time`/`--max-time` values parsed to epoch
 * milliseconds, and report times printed `YYYY-MM-DD HH:MM:SS UTC`. Pure functions.
 */

/** The forms {@link parseBoundTime} accepts, tried in this order (as the original does). */
export const BOUND_TIME_FORMS = [
  'YYYY-MM-DD HH:MM:SS',
  'YYYY-MM-DDTHH:MM:SS',
  'YYYY-MM-DDTHH:MM:SSZ',
  'YYYY-MM-DDTHH:MM:SS±HH:MM',
  'YYYY-MM-DD',
] as const;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:( |T)(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The offset of `±HH:MM` (or `±HHMM`) in minutes, or null when out of range. */
function offsetMinutes(text: string): number | null {
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/**
 * Milliseconds since the epoch of a time in one of {@link BOUND_TIME_FORMS} (UTC unless an
 * offset is given; a date alone is its midnight), or null when `text` is none of them or
 * names no real time (month 13, February 30, 24:00:00).
 */
export function parseBoundTime(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, sep, h = '0', mi = '0', s = '0', zone] = m;
  if (sep === ' ' && zone) return null;
  const parts = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = parts;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1) return null;
  if (check.getUTCDate() !== day) return null;
  if (!zone || zone === 'Z') return local;
  const offset = offsetMinutes(zone);
  return offset === null ? null : local - offset * 60_000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `YYYY-MM-DD HH:MM:SS UTC` of epoch milliseconds, whole seconds (truncated toward zero, as
 * the original's integer division does).
 */
export function formatUtc(ms: number): string {
  const d = new Date(Math.trunc(ms / 1000) * 1000);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

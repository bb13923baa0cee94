// SPDX-License-Identifier: Apache-2.0
/**
 * Strict RFC 3339 times in configs (`2024-01-01T00:00:00Z`, `2024-06-01T12:30:00.250+02:00`),
 * as the original reads them: a date, `T`, a time with optional fraction, and a required
 * offset (`Z` or `±HH:MM`). Anything looser (no offset, a bare date, `Date.parse`'s other
 * forms) is an INVALID_CONFIG naming the key.
 */

import { ConfigError, type Schema, schemaOf, str } from './config.js';

const FORM =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function refused(where: string, text: string, why: string): ConfigError {
  return new ConfigError(
    `${where}: ${JSON.stringify(text)} is not an RFC 3339 time with an offset, such as 2024-01-01T00:00:00Z (${why})`,
  );
}

/**
 * Milliseconds since the epoch of a strict RFC 3339 time (a fraction finer than a
 * millisecond is truncated, as the original does); `where` names the key in errors.
 */
export function parseRfc3339(text: string, where: string): number {
  const m = FORM.exec(text);
  if (!m) {
    const why = /^\d{4}-\d{2}-\d{2}$/.test(text)
      ? 'the time and the offset are missing'
      : /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)
        ? 'the offset is missing'
        : 'expected YYYY-MM-DDTHH:MM:SS[.fraction] and Z or +HH:MM';
    throw refused(where, text, why);
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12) throw refused(where, text, `month ${month}`);
  if (day < 1 || day > daysIn(year, month)) throw refused(where, text, `day ${day}`);
  if (hour > 23 || minute > 59 || second > 59) throw refused(where, text, 'time of day');
  let offset = 0;
  if (!m[8]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) throw refused(where, text, 'offset');
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  return date.getTime() - offset;
}

/** A config string holding a strict RFC 3339 time (kept as written). */
export const rfc3339: Schema<string> = schemaOf((v, path, origin) => {
  const text = str.parse(v, path, origin);
  parseRfc3339(text, path);
  return text;
});

// SPDX-License-Identifier: Apache-2.0
/**
 * Text of one table cell, as arrow-rs's `ArrayFormatter` prints it (the engine's own table
 * output, which `--format table` reproduces while streaming): `NULL`, integers, floats in
 * ryu's shortest form (`1.0`, `1e20`), timestamps in RFC 3339 with `Z` for UTC and without
 * an offset when the plan's type has no time zone, lists `[a, b]`, structs `{a: 1}`, bytes
 * in hex. Cells are read straight from Arrow `Data` chunks, so no row objects are built.
 */

import { type Data, type DataType, makeVector, TimeUnit, Type } from 'apache-arrow';

/** The text of row `index` of one column chunk. */
export type Cell = (index: number) => string;

const NULL = 'NULL';
const utf8 = new TextDecoder();

/** ryu's layout of shortest digits `digits` times 10^(`point` - digits.length). */
function ryuLayout(digits: string, point: number, wide: number, small: number): string {
  const n = digits.length;
  if (point >= n && point <= wide) return `${digits}${'0'.repeat(point - n)}.0`;
  if (point > 0 && point <= wide) return `${digits.slice(0, point)}.${digits.slice(point)}`;
  if (point > small && point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  const exp = `e${point - 1}`;
  return n === 1 ? `${digits}${exp}` : `${digits[0]}.${digits.slice(1)}${exp}`;
}

/** Shortest round-trip digits of |v| and the position of the decimal point. */
function shortest(v: number, single: boolean): { digits: string; point: number } {
  let text = Math.abs(v).toExponential();
  if (single) {
    for (let p = 1; p <= 9; p++) {
      const candidate = Math.abs(v).toExponential(p - 1);
      if (Math.fround(Number(candidate)) === Math.abs(v)) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa = '0', exponent = '0'] = text.split('e');
  return { digits: mantissa.replace('.', ''), point: Number(exponent) + 1 };
}

/** A float as `ryu::Buffer::format` writes it (f64, or f32 when `single`). */
export function ryu(v: number, single = false): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (v === 0) return `${sign}0.0`;
  const { digits, point } = shortest(v, single);
  return sign + (single ? ryuLayout(digits, point, 13, -6) : ryuLayout(digits, point, 16, -5));
}

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

/** chrono's fraction of a second: none, or 3, 6 or 9 digits, whichever is exact. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  if (nanos % 1_000_000 === 0) return `.${pad(nanos / 1_000_000, 3)}`;
  if (nanos % 1_000 === 0) return `.${pad(nanos / 1_000, 6)}`;
  return `.${pad(nanos, 9)}`;
}

const NANOS_PER: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

/** Seconds since the epoch and the nanoseconds past them, from a value in `unit`. */
function split(value: bigint, unit: TimeUnit): { seconds: number; nanos: number } {
  const ns = value * NANOS_PER[unit];
  let seconds = ns / 1_000_000_000n;
  let nanos = ns % 1_000_000_000n;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += 1_000_000_000n;
  }
  return { seconds: Number(seconds), nanos: Number(nanos) };
}

/** `YYYY-MM-DDTHH:MM:SS[.fff]` of a wall-clock time given as seconds past the epoch. */
function naive(seconds: number, nanos: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction(nanos)}`;
}

/** Minutes east of UTC of time zone `tz` (`+05:30`, `UTC`, `Europe/Paris`) at `ms`. */
function offsetMinutes(tz: string, ms: number): number {
  const fixed = /^([+-])(\d\d):?(\d\d)?$/.exec(tz);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    return fixed[1] === '-' ? -minutes : minutes;
  }
  if (tz === 'UTC' || tz === 'Z') return 0;
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name ?? '');
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** A timestamp as chrono prints it: naive without a zone, else RFC 3339 in that zone. */
export function timestampText(value: bigint, unit: TimeUnit, tz: string | null): string {
  const { seconds, nanos } = split(value, unit);
  if (tz === null) return naive(seconds, nanos);
  const offset = offsetMinutes(tz, seconds * 1000);
  if (offset === 0) return `${naive(seconds, nanos)}Z`;
  const abs = Math.abs(offset);
  const suffix = `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
  return `${naive(seconds + offset * 60, nanos)}${suffix}`;
}

/** arrow-rs `format_decimal_str`. */
export function decimalText(value: bigint, precision: number, scale: number): string {
  const full = value.toString();
  const sign = full.startsWith('-') ? '-' : '';
  const rest = full.slice(sign.length);
  const text = full.slice(0, Math.min(precision, rest.length) + sign.length);
  if (scale === 0) return text;
  if (scale < 0) return text.padEnd(text.length - scale, '0');
  if (rest.length > scale) return `${text.slice(0, text.length - scale)}.${text.slice(-scale)}`;
  return `${sign}0.${rest.padStart(scale, '0')}`;
}

/** A two's-complement little-endian integer of `words` 32-bit words at `index`. */
function wideInt(values: Uint32Array, index: number, words: number): bigint {
  let v = 0n;
  for (let w = words - 1; w >= 0; w--) v = (v << 32n) | BigInt(values[index * words + w] ?? 0);
  const bits = BigInt(words * 32);
  return v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
}

function durationText(v: bigint, unit: TimeUnit): string {
  const digits = [0, 3, 6, 9][unit] ?? 0;
  const per = 10n ** BigInt(digits);
  const secs = v / per;
  const sub = v - secs * per;
  const mins = secs / 60n;
  const hours = mins / 60n;
  const days = hours / 24n;
  const head = `${days} days ${hours - days * 24n} hours ${mins - hours * 60n} mins`;
  const s = secs - mins * 60n;
  if (digits === 0) return `${head} ${s} secs`;
  const frac = pad(sub < 0n ? -sub : sub, digits);
  return sub < 0n ? `${head} -${s < 0n ? -s : s}.${frac} secs` : `${head} ${s}.${frac} secs`;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Anything else: the value as apache-arrow reads it. */
function generic(data: Data): Cell {
  const vector = makeVector(data);
  return (i) => {
    const v: unknown = vector.get(i);
    if (v instanceof Uint8Array) return hex(v);
    return typeof v === 'object' && v !== null
      ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))
      : String(v);
  };
}

/** The time zone `Timestamp(_, None)` / `Timestamp(_, Some("tz"))` of a plan type name. */
export function planTimeZone(planType: string | undefined): string | null | undefined {
  const m = /^Timestamp\(\w+, (None|Some\("([^"]*)"\))\)$/.exec(planType ?? '');
  if (!m) return undefined;
  return m[1] === 'None' ? null : (m[2] ?? null);
}

/** A cell formatter for one column chunk; `planType` is the plan's name for its type. */
export function cellFormatter(data: Data, planType?: string): Cell {
  const inner = valueFormatter(data, planType);
  if (data.nullCount === 0) return inner;
  return (i) => (data.getValid(i) ? inner(i) : NULL);
}

function valueFormatter(data: Data, planType?: string): Cell {
  const type = data.type as DataType;
  const values = data.values as ArrayLike<number | bigint>;
  switch (type.typeId) {
    case Type.Null:
      return () => NULL;
    case Type.Int:
      return (i) => String(values[i]);
    case Type.Float: {
      const precision = (type as unknown as { precision: number }).precision;
      if (precision === 0) return generic(data);
      const single = precision === 1;
      return (i) => ryu(values[i] as number, single);
    }
    case Type.Bool:
      return (i) => {
        const bit = data.offset + i;
        return ((data.values as Uint8Array)[bit >> 3] ?? 0) & (1 << (bit & 7)) ? 'true' : 'false';
      };
    case Type.Utf8: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (i) => utf8.decode(bytes.subarray(offsets[i], offsets[i + 1]));
    }
    case Type.Binary: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (i) => hex(bytes.subarray(offsets[i], offsets[i + 1]));
    }
    case Type.FixedSizeBinary: {
      const width = (type as unknown as { byteWidth: number }).byteWidth;
      const bytes = data.values as Uint8Array;
      return (i) => hex(bytes.subarray(i * width, (i + 1) * width));
    }
    case Type.Timestamp: {
      const t = type as unknown as { unit: TimeUnit; timezone: string | null };
      const plan = planTimeZone(planType);
      const tz = plan === undefined ? (t.timezone ?? null) : plan;
      return (i) => timestampText(values[i] as bigint, t.unit, tz);
    }
    case Type.Date: {
      const day = (type as unknown as { unit: number }).unit === 0;
      return (i) => {
        const ms = day ? Number(values[i]) * 86_400_000 : Number(values[i]);
        return day
          ? new Date(ms).toISOString().slice(0, 10)
          : naive(Math.floor(ms / 1000), (((ms % 1000) + 1000) % 1000) * 1_000_000);
      };
    }
    case Type.Time: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      return (i) => {
        const { seconds, nanos } = split(BigInt(values[i] ?? 0), unit);
        return `${new Date(seconds * 1000).toISOString().slice(11, 19)}${fraction(nanos)}`;
      };
    }
    case Type.Duration: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      return (i) => durationText(BigInt(values[i] ?? 0), unit);
    }
    case Type.Decimal: {
      const d = type as unknown as { precision: number; scale: number; bitWidth: number };
      const words = d.bitWidth / 32;
      return (i) =>
        decimalText(wideInt(data.values as Uint32Array, i, words), d.precision, d.scale);
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const child = data.children[0] as Data;
      const item = cellFormatter(child);
      const size = (type as unknown as { listSize?: number }).listSize;
      const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
      return (i) => {
        const start =
          size !== undefined && type.typeId === Type.FixedSizeList
            ? i * size
            : Number(offsets?.[i]);
        const end =
          size !== undefined && type.typeId === Type.FixedSizeList
            ? start + size
            : Number(offsets?.[i + 1]);
        const items: string[] = [];
        for (let j = start; j < end; j++) items.push(item(j));
        return `[${items.join(', ')}]`;
      };
    }
    case Type.Struct: {
      const fields = (type as unknown as { children: { name: string }[] }).children;
      const columns = data.children.map((c) => cellFormatter(c as Data));
      return (i) => `{${fields.map((f, j) => `${f.name}: ${columns[j]?.(i)}`).join(', ')}}`;
    }
    case Type.Map: {
      const entries = data.children[0] as Data;
      const key = cellFormatter(entries.children[0] as Data);
      const value = cellFormatter(entries.children[1] as Data);
      const offsets = data.valueOffsets as Int32Array;
      return (i) => {
        const items: string[] = [];
        for (let j = offsets[i] ?? 0; j < (offsets[i + 1] ?? 0); j++) {
          items.push(`${key(j)}: ${value(j)}`);
        }
        return `{${items.join(', ')}}`;
      };
    }
    default:
      return generic(data);
  }
}

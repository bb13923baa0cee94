// SPDX-License-Identifier: Apache-2.0
/**
 * The report `pond detect-overlaps` prints, in the original's exact text
 * (REFERENCE-ORIGINAL §7.2, `temporal.rs` `print_overlap_summary`): numbers formatted as
 * Rust formats them (`{:.1}`, `{:.2}`: the exact binary value rounded half to even), file
 * lists as Rust's `{:?}` of a list of strings. Pond prints the origins in the order it read
 * them (the original's came in hash order), fills the `full` format's detail list (the
 * original's stayed empty) and adds per-version points with `--verbose`.
 */

import type { OverlapAnalysis, TimelineSegment } from './overlaps.js';
import { formatUtc } from './time-text.js';

/** `x` with `digits` decimals as Rust's `{:.N}` prints an f64. */
export function rustFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'inf' : '-inf';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const shift = (exponent === 0 ? 1 : exponent) - 1075;
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (shift >= 0) q = (mantissa << BigInt(shift)) * scale;
  else {
    const num = mantissa * scale;
    const den = 1n << BigInt(-shift);
    q = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  }
  const text = q.toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${whole}` : whole;
}

/** A string as Rust's `{:?}` prints it. */
function rustDebug(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\0') out += '\\0';
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

const hours = (ms: number) => rustFixed(ms / (1000 * 60 * 60), 1);

/** The paths of the origins an overlap's points came from, in origin order. */
function overlapFiles(a: OverlapAnalysis, s: TimelineSegment & { kind: 'overlap' }): string {
  const ids = [...new Set(s.points.map(([, origin]) => origin))].sort((x, y) => x - y);
  return `[${ids.map((id) => rustDebug(a.origins[id]?.path ?? 'unknown')).join(', ')}]`;
}

function segmentLine(a: OverlapAnalysis, s: TimelineSegment, i: number): string {
  const start = formatUtc(s.start);
  const end = formatUtc(s.end);
  if (s.kind === 'run') {
    const path = a.origins[s.origin]?.path ?? 'unknown';
    return `  ${i + 1}. RUN: ${path} - ${start} to ${end} (${hours(s.end - s.start)} hours, ${s.points} points)`;
  }
  const files = overlapFiles(a, s);
  if (s.start === s.end) {
    return `  ${i + 1}. OVERLAP: Single moment at ${start} - ${s.points.length} points from files ${files}`;
  }
  return `  ${i + 1}. OVERLAP: ${start} to ${end} - ${s.points.length} points from files ${files}`;
}

/** The `summary` report. */
export function summaryText(a: OverlapAnalysis): string {
  const runs = a.timeline.filter((s) => s.kind === 'run').length;
  const percent = a.totalPoints > 0 ? (a.overlappingPoints / a.totalPoints) * 100 : 0;
  const lines = [
    'Temporal Overlap Analysis Summary',
    '='.repeat(32),
    `Total data points: ${a.totalPoints}`,
    `Overlapping points: ${a.overlappingPoints}`,
    `Overlap percentage: ${rustFixed(percent, 2)}%`,
    `Timeline segments: ${runs} runs, ${a.timeline.length - runs} overlaps`,
  ];
  if (a.timeline.length > 0) {
    lines.push('', 'Timeline Analysis:', ...a.timeline.map((s, i) => segmentLine(a, s, i)));
  }
  lines.push('', 'Origin Statistics:');
  for (const o of a.origins) {
    if (o.times.length === 0) continue;
    const min = Math.min(...o.versions.flatMap((v) => (v.min === null ? [] : [v.min])));
    const max = Math.max(...o.versions.flatMap((v) => (v.max === null ? [] : [v.max])));
    lines.push(
      `  ${o.path}: ${o.times.length} points, ${formatUtc(min)} to ${formatUtc(max)} (${hours(max - min)} hours span)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The `full` report: the summary, then each overlap in detail. */
export function fullText(a: OverlapAnalysis): string {
  const overlaps = a.timeline.filter(
    (s): s is TimelineSegment & { kind: 'overlap' } => s.kind === 'overlap',
  );
  const lines: string[] = [];
  if (overlaps.length > 0) {
    lines.push('', 'Detailed Overlap Runs:');
    overlaps.forEach((s, i) => {
      if (s.start === s.end) {
        lines.push('', `Run ${i + 1}: Single point overlap`, `  Timestamp: ${formatUtc(s.start)}`);
      } else {
        lines.push(
          '',
          `Run ${i + 1}: Time range overlap`,
          `  Start: ${formatUtc(s.start)}`,
          `  End: ${formatUtc(s.end)}`,
          `  Duration: ${hours(s.end - s.start)} hours`,
        );
      }
      lines.push(`  Points: ${s.points.length}`, `  Origins involved: ${overlapFiles(a, s)}`);
    });
  }
  return summaryText(a) + (lines.length ? `${lines.join('\n')}\n` : '');
}

/** `--verbose`: each series' points per stored version. */
export function versionsText(a: OverlapAnalysis): string {
  const lines = ['', 'Versions:'];
  for (const o of a.origins) {
    for (const v of o.versions) {
      const which = v.version === null ? '' : ` v${v.version}`;
      const range =
        v.min === null || v.max === null
          ? 'no time range'
          : `${formatUtc(v.min)} to ${formatUtc(v.max)}`;
      lines.push(`  ${o.path}${which}: ${v.points} points, ${range}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

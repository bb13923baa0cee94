// SPDX-License-Identifier: Apache-2.0
/**
 * detect-overlaps' timeline rules (the original's, kept exactly) and its number and time
 * formatting, as pure functions; the reading of real series is in test/cli/temporal.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fullText, rustFixed, summaryText } from '../../ts/query/overlap-text.js';
import { analyzeOverlaps, analyzeTimeline } from '../../ts/query/overlaps.js';
import { formatUtc, parseBoundTime } from '../../ts/query/time-text.js';

const MIN = 60_000;

describe('the overlap timeline', () => {
  it('makes runs of one origin and a clean transition past 60 s', () => {
    const times = [0, MIN, 2 * MIN, 10 * MIN, 11 * MIN];
    expect(analyzeTimeline(times, [0, 0, 0, 1, 1])).toEqual([
      { kind: 'run', origin: 0, start: 0, end: 2 * MIN, points: 3 },
      { kind: 'run', origin: 1, start: 10 * MIN, end: 11 * MIN, points: 2 },
    ]);
  });

  it('opens an overlap on a switch within 60 s, looking 60 s ahead, then restarts', () => {
    // a at 0, 2, 4 min; b at 3, 5 min.
    const times = [0, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN];
    expect(analyzeTimeline(times, [0, 0, 1, 0, 1])).toEqual([
      { kind: 'run', origin: 0, start: 0, end: 2 * MIN, points: 2 },
      {
        kind: 'overlap',
        start: 2 * MIN,
        end: 4 * MIN,
        points: [
          [2 * MIN, 0],
          [3 * MIN, 1],
          [4 * MIN, 0],
        ],
      },
      // The run restarted at 4 min has one point when b switches in: it is not listed.
      {
        kind: 'overlap',
        start: 4 * MIN,
        end: 5 * MIN,
        points: [
          [4 * MIN, 0],
          [5 * MIN, 1],
        ],
      },
    ]);
  });

  it('orders equal times by origin and counts every gathered point', () => {
    const a = analyzeOverlaps([
      {
        path: '/b',
        times: [5 * MIN],
        versions: [{ version: 1, points: 1, min: 5 * MIN, max: 5 * MIN }],
      },
      {
        path: '/a',
        times: [5 * MIN],
        versions: [{ version: 1, points: 1, min: 5 * MIN, max: 5 * MIN }],
      },
    ]);
    expect(a.timeline).toEqual([
      {
        kind: 'overlap',
        start: 5 * MIN,
        end: 5 * MIN,
        points: [
          [5 * MIN, 0],
          [5 * MIN, 1],
        ],
      },
    ]);
    expect([a.totalPoints, a.overlappingPoints]).toEqual([2, 2]);
    expect(summaryText(a)).toBe(
      [
        'Temporal Overlap Analysis Summary',
        '================================',
        'Total data points: 2',
        'Overlapping points: 2',
        'Overlap percentage: 100.00%',
        'Timeline segments: 0 runs, 1 overlaps',
        '',
        'Timeline Analysis:',
        '  1. OVERLAP: Single moment at 1970-01-01 00:05:00 UTC - 2 points from files ["/b", "/a"]',
        '',
        'Origin Statistics:',
        '  /b: 1 points, 1970-01-01 00:05:00 UTC to 1970-01-01 00:05:00 UTC (0.0 hours span)',
        '  /a: 1 points, 1970-01-01 00:05:00 UTC to 1970-01-01 00:05:00 UTC (0.0 hours span)',
        '',
      ].join('\n'),
    );
    expect(fullText(a)).toBe(
      `${summaryText(a)}\nDetailed Overlap Runs:\n\nRun 1: Single point overlap\n  Timestamp: 1970-01-01 00:05:00 UTC\n  Points: 2\n  Origins involved: ["/b", "/a"]\n`,
    );
  });
});

describe('numbers and times as the original prints them', () => {
  it("rounds the exact binary value half to even, as Rust's {:.N} does", () => {
    const cases: [number, number, string][] = [
      [0.25, 1, '0.2'],
      [0.35, 1, '0.3'],
      [0.05, 1, '0.1'],
      [0.15, 1, '0.1'],
      [2.5, 0, '2'],
      [12.125, 2, '12.12'],
      [99.995, 2, '100.00'],
      [23.666666666666668, 1, '23.7'],
      [0, 2, '0.00'],
      [100, 2, '100.00'],
    ];
    for (const [x, digits, text] of cases) expect(rustFixed(x, digits), String(x)).toBe(text);
  });

  it("parses the original's five time forms and prints whole UTC seconds", () => {
    const at = Date.parse('2024-01-02T03:04:05Z');
    expect(parseBoundTime('2024-01-02 03:04:05')).toBe(at);
    expect(parseBoundTime('2024-01-02T03:04:05')).toBe(at);
    expect(parseBoundTime('2024-01-02T03:04:05Z')).toBe(at);
    expect(parseBoundTime('2024-01-02T05:04:05+02:00')).toBe(at);
    expect(parseBoundTime('2024-01-01T22:04:05-0500')).toBe(at);
    expect(parseBoundTime('2024-01-02')).toBe(Date.parse('2024-01-02T00:00:00Z'));
    for (const bad of ['2024-02-30', '2024-01-02 03:04:05Z', '2024-01-02T24:00:00', 'yesterday']) {
      expect(parseBoundTime(bad), bad).toBeNull();
    }
    expect(formatUtc(at + 999)).toBe('2024-01-02 03:04:05 UTC');
  });
});

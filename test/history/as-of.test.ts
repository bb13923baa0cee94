// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { parseAsOf, resolveAsOf } from '../../ts/history/as-of.js';
import type { TxnSummary } from '../../ts/steward/control.js';

const txn = (seq: number, time: number, durationMs = 10): TxnSummary => ({
  seq,
  id: `id-${seq}`,
  kind: 'write',
  parentSeq: null,
  args: [],
  time,
  status: 'COMMITTED',
  dataVersion: seq - 1,
  durationMs,
  error: null,
  changes: null,
  recovered: false,
});

const LOG = [
  txn(1, Date.parse('2026-01-01T00:00:00Z')),
  txn(2, Date.parse('2026-01-02T12:00:00Z')),
  txn(3, Date.parse('2026-01-03T12:00:00Z')),
];
const invalid = expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT });

describe('as-of', () => {
  it('parses seqs, RFC 3339 times (UTC without a zone) and dates', () => {
    expect(parseAsOf('12')).toBe(12);
    expect(parseAsOf('2026-01-02')).toEqual(new Date('2026-01-02T00:00:00Z'));
    expect(parseAsOf('2026-01-02T13:00:00Z')).toEqual(new Date('2026-01-02T13:00:00Z'));
    expect(parseAsOf('2026-01-02T13:00:00+02:00')).toEqual(new Date('2026-01-02T11:00:00Z'));
    expect(parseAsOf('2026-01-02 13:00')).toEqual(new Date('2026-01-02T13:00:00Z'));
    for (const bad of ['yesterday', '-1', '1.5', '2026-13-45', '']) {
      expect(() => parseAsOf(bad)).toThrow(invalid);
    }
  });

  it('resolves a time to the newest transaction that had ended by then', () => {
    expect(resolveAsOf(new Date('2026-01-02T12:00:00.005Z'), LOG)).toBe(1);
    expect(resolveAsOf(new Date('2026-01-02T12:00:00.010Z'), LOG)).toBe(2);
    expect(resolveAsOf(new Date('2030-01-01T00:00:00Z'), LOG)).toBe(3);
    expect(resolveAsOf(2, LOG)).toBe(2);
  });

  it('refuses seqs the pond has not reached and times before it existed', () => {
    for (const bad of [0, 4, 2.5]) expect(() => resolveAsOf(bad, LOG)).toThrow(invalid);
    expect(() => resolveAsOf(new Date('2025-01-01T00:00:00Z'), LOG)).toThrow(invalid);
  });
});

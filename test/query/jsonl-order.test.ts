// SPDX-License-Identifier: Apache-2.0
// JSON lines keep the file's column order: the keys of the first object in the order it
// writes them, then keys first seen in later lines, for host files and pond files alike.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pondAndHost, pondOk } from '../helpers.js';

// Each case: the lines' keys, in file order, and the columns they must read as.
const CASES: [string[][], string[]][] = [
  [[['zeta', 'alpha', 'mid']], ['zeta', 'alpha', 'mid']],
  [
    [
      ['b', 'a'],
      ['b', 'a'],
    ],
    ['b', 'a'],
  ],
  [[['timestamp', 'value', 'site']], ['timestamp', 'value', 'site']],
  [
    [
      ['y', 'x'],
      ['x', 'y', 'c', 'a'],
    ],
    ['y', 'x', 'c', 'a'],
  ],
  [[['k9', 'k10', 'k1', 'K2', '_k']], ['k9', 'k10', 'k1', 'K2', '_k']],
];

function jsonl(lines: string[][]): string {
  return lines
    .map((keys, row) => JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, row * 10 + i]))))
    .join('\n');
}

describe('jsonl columns', () => {
  it.each(CASES)('keep the order the file writes them (%j)', async (lines, columns) => {
    const { p, host } = await pondAndHost();
    const file = join(host, 'in.jsonl');
    await writeFile(file, `${jsonl(lines)}\n`);
    await pondOk(p, 'copy', `host://${file}`, '/in.jsonl');
    for (const url of [`host+jsonl://${file}`, 'jsonl:///in.jsonl']) {
      const out = await pondOk(p, 'sql', `SELECT * FROM '${url}'`, '--format', 'csv');
      expect({ url, header: out.stdout.split('\n')[0] }).toEqual({
        url,
        header: columns.join(','),
      });
    }
  });
});

// SPDX-License-Identifier: Apache-2.0
// No source file grows past 500 lines: past that a file holds more than one concept, and
// the next engineer has to read it all to change any of it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers.js';

const LIMIT = 500;
const TREES: ReadonlyArray<[string, string]> = [
  ['ts', '.ts'],
  ['native/src', '.rs'],
];

describe('source files', () => {
  it(`have at most ${LIMIT} lines each`, () => {
    const long: string[] = [];
    let checked = 0;
    for (const [tree, ext] of TREES) {
      const dir = join(REPO, tree);
      for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith(ext)) continue;
        checked++;
        const lines = readFileSync(join(dir, file), 'utf8').split('\n').length - 1;
        if (lines > LIMIT) long.push(`${tree}/${file}: ${lines} lines`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(long).toEqual([]);
  });
});

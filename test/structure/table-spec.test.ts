// SPDX-License-Identifier: Apache-2.0
// The TableSpec contract, TS half: the fixtures (typed as TableSpec, so tsc checks them)
// are the JSON files the Rust half deserialises and serialises back (`cargo test`, in
// native/src/query/spec.rs). POND_UPDATE_GOLDEN=1 rewrites the files after a deliberate
// change; the Rust test then says whether the engine still agrees.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS, TABLE_SPECS } from '../fixtures/table-specs.js';
import { REPO } from '../helpers.js';

const DIR = join(REPO, 'test', 'fixtures', 'table-specs');
const UPDATE = process.env.POND_UPDATE_GOLDEN === '1';

describe('TableSpec fixtures', () => {
  it('cover every kind', () => {
    const used = new Set(Object.values(TABLE_SPECS).map((s) => s.kind));
    expect([...used].sort()).toEqual(Object.keys(KINDS).sort());
  });

  it.each(Object.entries(TABLE_SPECS))(
    '%s.json is the fixture as sent to the engine',
    async (name, spec) => {
      const file = join(DIR, `${name}.json`);
      const text = `${JSON.stringify(spec, null, 2)}\n`;
      if (UPDATE) await writeFile(file, text);
      expect(await readFile(file, 'utf8')).toBe(text);
    },
  );

  it('has no JSON file without a fixture', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(
      Object.keys(TABLE_SPECS)
        .map((n) => `${n}.json`)
        .sort(),
    );
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  EntryType,
  entryTypeFromCode,
  entryTypeInfo,
  isEntryType,
} from '../../ts/tinyfs/entry-type.js';
import { entryTypeOfId, newNodeId, uuid7 } from '../../ts/tinyfs/node-id.js';
import { basename, dirname, normalize } from '../../ts/tinyfs/path.js';
import { ROOT_ID } from '../../ts/tinyfs/persistence.js';

describe('paths', () => {
  it('normalises to absolute canonical form', () => {
    expect(normalize('a/b/')).toBe('/a/b');
    expect(normalize('/a/./b/../c')).toBe('/a/c');
    expect(normalize('../..')).toBe('/');
    expect(normalize('x', '/a/b')).toBe('/a/b/x');
    expect(normalize('//a//b')).toBe('/a/b');
  });

  it('splits into dirname and basename', () => {
    expect(dirname('/a/b/c')).toBe('/a/b');
    expect(basename('/a/b/c')).toBe('c');
    expect(dirname('/a')).toBe('/');
    expect(basename('/')).toBe('/');
  });
});

describe('entry types', () => {
  it('keeps the persisted strings and codes of REFERENCE §4', () => {
    const table = Object.values(EntryType).map((t) => [
      t,
      entryTypeInfo(t).code,
      entryTypeInfo(t).name,
    ]);
    expect(table).toEqual([
      ['dir:physical', 1, 'DirectoryPhysical'],
      ['dir:dynamic', 2, 'DirectoryDynamic'],
      ['symlink', 3, 'Symlink'],
      ['file:physical:version', 4, 'FilePhysicalVersion'],
      ['file:dynamic', 5, 'FileDynamic'],
      ['table:physical:version', 6, 'TablePhysicalVersion'],
      ['file:physical:series', 7, 'FilePhysicalSeries'],
      ['table:physical:series', 8, 'TablePhysicalSeries'],
      ['table:dynamic', 9, 'TableDynamic'],
    ]);
    expect(entryTypeFromCode(8)).toBe('table:physical:series');
    expect(isEntryType('dir:physical')).toBe(true);
    expect(isEntryType('dir')).toBe(false);
  });
});

describe('node ids', () => {
  it('are UUIDv7 with the entry-type code in byte 6', () => {
    for (const type of Object.values(EntryType)) {
      const id = newNodeId(type);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(entryTypeOfId(id)).toBe(type);
    }
    expect(entryTypeOfId(ROOT_ID)).toBe(EntryType.DirectoryPhysical);
  });

  it('encode the injected clock in the first 48 bits', () => {
    const id = uuid7(4, { now: () => 0x0123456789ab, random: (n) => new Uint8Array(n) });
    expect(id).toBe('01234567-89ab-7400-8000-000000000000');
  });
});

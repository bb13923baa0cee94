// SPDX-License-Identifier: Apache-2.0
/**
 * The TS/Rust boundary's contracts: every error code the addon can produce is one TS
 * knows, and addon errors arrive structured (code, message, path), not as text to parse.
 * (Signatures are checked by `tsc`: `ts/native/` is typed by the binding `napi build`
 * generates, and `npm test` rebuilds the addon, regenerating it, before compiling TS.)
 */

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ErrorCode, PondError } from '../../ts/errors.js';
import { addon } from '../../ts/native/addon.js';
import { Store } from '../../ts/native/store.js';
import { Pond } from '../../ts/pond.js';
import { tempDir } from '../helpers.js';

describe('TS/Rust boundary', () => {
  test('every code the addon can produce is an ErrorCode', () => {
    const rust = addon().errorCodes();
    expect(rust.length).toBeGreaterThan(10);
    const known = new Set<string>(Object.values(ErrorCode));
    expect(rust.filter((code) => !known.has(code))).toEqual([]);
  });

  test('an addon error arrives as a PondError with its code and no wire text', async () => {
    const dir = join(await tempDir(), 'nothing-here');
    const err = await Store.open(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PondError);
    expect((err as PondError).code).toBe(ErrorCode.NOT_A_POND);
    expect((err as PondError).message).not.toMatch(/^\{|\[NOT_A_POND\]/);
  });

  test("a library's error keeps its root cause as the PondError's cause", async () => {
    const path = join(await tempDir(), 'p');
    await Pond.create(path);
    const log = join(path, 'data', '_delta_log');
    for (const f of await readdir(log)) {
      if (f.endsWith('.json')) await writeFile(join(log, f), '{not json');
    }
    const err = await Store.open(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PondError);
    const cause = (err as PondError).cause;
    expect(cause).toBeInstanceOf(Error);
    expect((cause as Error).message).toMatch(/json/i);
    // One line each: no backtrace a library appended to its message.
    expect((err as PondError).message).not.toContain('\n');
    expect((cause as Error).message).not.toContain('\n');
  });
});

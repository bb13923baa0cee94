// SPDX-License-Identifier: Apache-2.0
/**
 * The pond's on-disk layout is defined once per language (`native/src/layout.rs`,
 * `ts/tlogfs/layout.ts` and the inline threshold in `ts/tlogfs/rows.ts`): the two must
 * spell every name and the threshold the same way.
 */

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PondError } from '../../ts/errors.js';
import { pondLayout, Store } from '../../ts/native/store.js';
import { LAYOUT } from '../../ts/tlogfs/layout.js';
import { LARGE_THRESHOLD } from '../../ts/tlogfs/rows.js';
import { pondAndHost } from '../helpers.js';

describe('pond layout', () => {
  it('TypeScript names the directories and the inline threshold as Rust does', () => {
    const rust = pondLayout();
    expect({ data: rust.data, control: rust.control, cache: rust.cache }).toEqual(LAYOUT);
    expect(rust.largeThreshold).toBe(LARGE_THRESHOLD);
  });

  it('the store names large content files where they are written', async () => {
    const { p } = await pondAndHost();
    const rust = pondLayout();
    const store = await Store.open(p);
    const txn = await store.begin();
    const stored = await txn.storeBytes(new Uint8Array(rust.largeThreshold));
    await txn.release();
    expect(stored.inline).toBeNull();
    const blake3 = stored.blake3 as string;
    expect(store.largeFilePath(blake3)).toBe(`${rust.largeFiles}/blake3=${blake3}`);
    expect((await stat(join(p, rust.data, store.largeFilePath(blake3)))).size).toBe(
      rust.largeThreshold,
    );
    const err = (() => {
      try {
        return store.largeFilePath('../escape');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PondError);
    expect((err as PondError).code).toBe(ErrorCode.CORRUPT);
  });
});

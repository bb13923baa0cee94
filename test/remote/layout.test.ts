// SPDX-License-Identifier: Apache-2.0
/** The remote layout's pure planning, and remote configs' checks. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { checkRemote, expandOptions, type RemoteConfig } from '../../ts/remote/config.js';
import {
  applyOrder,
  applyRecord,
  FORMAT,
  objectKey,
  type PushRecord,
  planPush,
} from '../../ts/remote/layout.js';

const h = (c: string) => c.repeat(64);
const entry = (c: string, size = 1) => ({ blake3: h(c), size });

describe('push planning', () => {
  it('adds new and changed files, removes gone ones, uploads each missing content once', () => {
    const remote = new Map([
      ['data/a', entry('a')],
      ['data/b', entry('b')],
      ['data/gone', entry('c')],
    ]);
    const local = new Map([
      ['data/a', entry('a')],
      ['data/b', entry('d')],
      ['data/new', entry('d')],
      ['control/x', entry('e')],
    ]);
    const plan = planPush(local, remote, new Set([h('a'), h('b'), h('c'), h('e')]));
    expect(Object.keys(plan.added).sort()).toEqual(['control/x', 'data/b', 'data/new']);
    expect(plan.removed).toEqual(['data/gone']);
    expect([...plan.uploads.keys()]).toEqual([h('d')]);
  });

  it('rebuilds the tip from a full record and deltas', () => {
    const record = (over: Partial<PushRecord>): PushRecord => ({
      format: FORMAT,
      pond_id: 'p',
      seq: 1,
      committed: 1,
      time: 0,
      parent: null,
      depth: 0,
      full: false,
      added: {},
      removed: [],
      ...over,
    });
    const full = applyRecord(new Map(), record({ full: true, added: { 'data/a': entry('a') } }));
    const next = applyRecord(
      full,
      record({ added: { 'data/b': entry('b') }, removed: ['data/a'] }),
    );
    expect([...next.keys()]).toEqual(['data/b']);
    expect(() => applyRecord(next, record({ added: { '../x': entry('a') } }))).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });

  it('applies data before the commits that name it, and the checkpoint pointer last', () => {
    expect(
      applyOrder([
        'data/_delta_log/_last_checkpoint',
        'data/_delta_log/00000000000000000002.json',
        'data/part-1.parquet',
        'data/_delta_log/00000000000000000001.json',
      ]),
    ).toEqual([
      'data/part-1.parquet',
      'data/_delta_log/00000000000000000001.json',
      'data/_delta_log/00000000000000000002.json',
      'data/_delta_log/_last_checkpoint',
    ]);
    expect(objectKey(h('f'))).toBe(`objects/ff/${h('f')}`);
    expect(() => objectKey('../../etc')).toThrow();
  });
});

describe('remote configs', () => {
  const base: RemoteConfig = {
    name: 'site',
    url: 's3://b/p',
    mode: 'push',
    mount: null,
    options: {},
  };
  const invalid = expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT });

  it('refuses bad names, URLs, unknown options and literal credentials', () => {
    expect(() => checkRemote({ ...base, name: 'Bad Name' })).toThrow(invalid);
    expect(() => checkRemote({ ...base, url: 'http://x/y' })).toThrow(invalid);
    expect(() => checkRemote({ ...base, url: 'file://relative' })).toThrow(invalid);
    expect(() => checkRemote({ ...base, options: { colour: 'red' } as never })).toThrow(invalid);
    expect(() => checkRemote({ ...base, options: { secret_access_key: 'hunter2' } })).toThrow(
      invalid,
    );
    expect(() => checkRemote({ ...base, mode: 'pull', mount: '/' })).toThrow(invalid);
    expect(checkRemote({ ...base, mode: 'pull', mount: '/imports//a/' }).mount).toBe('/imports/a');
  });

  it('expands ${env:} credentials only when used, and names a missing variable', () => {
    const config = checkRemote({
      ...base,
      options: { access_key_id: '${env:K}', secret_access_key: '${env:S}', allow_http: true },
    });
    expect(expandOptions(config, { K: 'key', S: 'secret' })).toEqual({
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      allowHttp: true,
    });
    expect(() => expandOptions(config, { K: 'key' })).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringContaining('${env:S}'),
      }),
    );
  });
});

// SPDX-License-Identifier: Apache-2.0
/** journal-ingest's pure rules: where an entry goes, which program runs, which arguments pass. */

import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Batches } from '../../ts/ingest/journal/batches.js';
import { destination } from '../../ts/ingest/journal/collect.js';
import { checkExtraArgs, journalArgs, journalProgram } from '../../ts/ingest/journal/command.js';
import { codeOf, tempDir } from '../helpers.js';

const code = (fn: () => unknown) =>
  codeOf(
    (async () => {
      fn();
    })(),
  );

describe('journal-ingest rules', () => {
  it('names destinations by the original rules, first match wins', () => {
    const cases: Array<[Record<string, unknown>, boolean, string]> = [
      [{ _TRANSPORT: 'kernel', _SYSTEMD_UNIT: 'x.service' }, true, 'kernel.jsonl'],
      [{ _TRANSPORT: 'kernel', _SYSTEMD_UNIT: 'x.service' }, false, 'x.service.jsonl'],
      [{ _TRANSPORT: 'kernel' }, false, 'other.jsonl'],
      [
        { _SYSTEMD_UNIT: 'user@1000.service', _SYSTEMD_USER_UNIT: 'a.service' },
        true,
        'user-a.service.jsonl',
      ],
      [{ _SYSTEMD_UNIT: 'user@1000.service' }, true, 'user@1000.service.jsonl'],
      [
        { _SYSTEMD_UNIT: 'sys.service', _SYSTEMD_USER_UNIT: 'a.service' },
        true,
        'sys.service.jsonl',
      ],
      [
        { _SYSTEMD_USER_UNIT: 'b/c.service', SYSLOG_IDENTIFIER: 'x' },
        true,
        'user-b-c.service.jsonl',
      ],
      [{ SYSLOG_IDENTIFIER: 'a/b' }, true, 'a-b.jsonl'],
      [{ SYSLOG_IDENTIFIER: 7 }, true, 'other.jsonl'],
      [{}, true, 'other.jsonl'],
    ];
    for (const [entry, kernel, name] of cases) expect(destination(entry, kernel)).toBe(name);
  });

  it('runs only this machine’s journal reader', async () => {
    expect(journalProgram('journalctl', {})).toBe('journalctl');
    expect(journalProgram('/usr/bin/journalctl', {})).toBe('/usr/bin/journalctl');
    expect(journalProgram('journalctl', { POND_JOURNALCTL: '/opt/j' })).toBe('/opt/j');
    expect(journalProgram('/opt/j', { POND_JOURNALCTL: '/opt/j' })).toBe('/opt/j');
    for (const named of ['/bin/sh', 'sh', '/tmp/journalctl', 'journalctl --rotate', '']) {
      expect(await code(() => journalProgram(named, {}))).toBe('INVALID_CONFIG');
      expect(await code(() => journalProgram(named, { POND_JOURNALCTL: '/opt/j' }))).toBe(
        'INVALID_CONFIG',
      );
    }
  });

  it('passes read-only filters and refuses every other argument', async () => {
    const good = [
      ['--merge'],
      ['-u', 'nginx.service', '--since', '2026-01-01'],
      ['--since=yesterday', '--boot', '--boot=-1', '-k'],
      ['_SYSTEMD_UNIT=a.service', '+', 'PRIORITY=3'],
    ];
    for (const args of good) expect(await code(() => checkExtraArgs(args))).toBe('OK');
    const bad = [
      ['--vacuum-size=1G'],
      ['--rotate'],
      ['--flush'],
      ['--follow'],
      ['-f'],
      ['--output', 'cat'],
      ['-o', 'cat'],
      ['--cursor-file=/tmp/x'],
      ['--after-cursor=x'],
      ['--directory', '/var/log/journal'],
      ['--file=/x'],
      ['--reverse'],
      ['--unit'],
      ['/usr/bin/sshd'],
      ['lowercase=field'],
    ];
    for (const args of bad) expect(await code(() => checkExtraArgs(args))).toBe('INVALID_CONFIG');
    expect(journalArgs(null, ['--merge'])).toEqual(['--output=json', '--no-pager', '--merge']);
    expect(journalArgs('s=1', [])).toEqual(['--output=json', '--no-pager', '--after-cursor=s=1']);
  });
});

describe('journal-ingest batches', () => {
  it('keeps lines in memory below the limit and spills every group to its own file past it', async () => {
    const dir = await tempDir();
    const batches = new Batches(dir, 64);
    await batches.add('a.jsonl', '{"n":1}', 5);
    await batches.add('b.jsonl', '{"n":2}', null);
    const small = await batches.content('a.jsonl');
    expect(small).toEqual({
      source: { kind: 'bytes', bytes: Buffer.from('{"n":1}\n') },
      min: 5,
      max: 5,
    });
    const lines = Array.from({ length: 30 }, (_, i) => `{"n":${i + 3}}`);
    for (const [i, line] of lines.entries()) {
      await batches.add(i % 2 ? 'a.jsonl' : 'c.jsonl', line, 100 - i);
    }
    expect(batches.names()).toEqual(['a.jsonl', 'b.jsonl', 'c.jsonl']);
    const a = await batches.content('a.jsonl');
    expect(a.source.kind).toBe('hostFile');
    const path = a.source.kind === 'hostFile' ? a.source.path : '';
    const want = ['{"n":1}', ...lines.filter((_, i) => i % 2)].map((l) => `${l}\n`).join('');
    expect(await readFile(path, 'utf8')).toBe(want);
    expect([a.min, a.max]).toEqual([5, 99]);
    const b = await batches.content('b.jsonl');
    expect(b.source.kind === 'hostFile' && (await readFile(b.source.path, 'utf8'))).toBe(
      '{"n":2}\n',
    );
    expect([b.min, b.max]).toEqual([null, null]);
    await batches.close();
    expect(await readdir(dir)).toEqual([]);
  });
});

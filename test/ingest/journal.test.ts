// SPDX-License-Identifier: Apache-2.0
/**
 * journal-ingest on real ponds, reading from the journalctl stand-in
 * (test/fixtures/journalctl-standin.mjs), which this machine's operator names in
 * POND_JOURNALCTL; the journal is a JSON-lines file the test appends to.
 */

import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPILL_BYTES } from '../../ts/ingest/journal/batches.js';
import { Pond } from '../../ts/pond.js';
import { collect } from '../../ts/tinyfs/persistence.js';
import { dataVersion, hostConfig, pondAndHost, pondOk, REPO } from '../helpers.js';
import { pondWith, pondWithOk } from './cli-env.js';

const STANDIN = join(REPO, 'test', 'fixtures', 'journalctl-standin.mjs');

let seq = 0;
/** A journal entry line; `fields` decide where it goes. */
function entry(fields: Record<string, unknown>, time = 1_700_000_000_000_000 + seq): string {
  seq++;
  return JSON.stringify({
    __CURSOR: `s=abc;i=${seq}`,
    __REALTIME_TIMESTAMP: String(time),
    MESSAGE: `message ${seq}`,
    ...fields,
  });
}

async function setup(extra = '') {
  const { p, host } = await pondAndHost();
  const journal = join(host, 'journal.jsonl');
  const argsLog = join(host, 'args.jsonl');
  await writeFile(journal, '');
  const cfg = await hostConfig(host, 'journal', `pond_path: /journal\n${extra}`);
  await pondOk(p, 'mknod', 'journal-ingest', '/collect', '--config-path', cfg);
  const env = { POND_JOURNALCTL: STANDIN, STANDIN_JOURNAL: journal, STANDIN_ARGS: argsLog };
  const add = (...lines: string[]) => appendFile(journal, lines.map((l) => `${l}\n`).join(''));
  return { p, host, journal, argsLog, env, add };
}

async function content(p: string, path: string): Promise<{ text: string; versions: number }> {
  const root = await (await Pond.open(p)).tree();
  const np = await root.file(path);
  const versions = await np.node.file.versions();
  let text = '';
  for (const v of versions) {
    text += Buffer.from(await collect(np.node.file.read(v.version))).toString('utf8');
  }
  return { text, versions: versions.length };
}

async function argsRuns(file: string): Promise<string[][]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
}

describe('journal-ingest', () => {
  it('routes entries to per-unit files verbatim, with event-time bounds and the cursor', async () => {
    const { p, env, add, argsLog } = await setup();
    const lines = [
      entry({ _TRANSPORT: 'kernel', SYSLOG_IDENTIFIER: 'kernel' }, 1_700_000_000_000_001),
      entry({ _SYSTEMD_UNIT: 'nginx.service' }, 1_700_000_000_000_005),
      entry({ _SYSTEMD_UNIT: 'user@1000.service', _SYSTEMD_USER_UNIT: 'app.service' }),
      entry({ _SYSTEMD_USER_UNIT: 'timer.service' }),
      entry({ SYSLOG_IDENTIFIER: 'cron/daily' }),
      entry({}),
      'not json at all',
      entry({ _SYSTEMD_UNIT: 'nginx.service' }, 1_700_000_000_000_003),
    ];
    await add(...lines);
    const out = await pondWithOk(p, env, 'run', '/collect');
    expect(out).toContain('7 entries into 6 files, 1 unparseable lines skipped');
    expect(await content(p, '/journal/nginx.service.jsonl')).toEqual({
      text: `${lines[1]}\n${lines[7]}\n`,
      versions: 1,
    });
    expect((await content(p, '/journal/kernel.jsonl')).text).toBe(`${lines[0]}\n`);
    expect((await content(p, '/journal/user-app.service.jsonl')).text).toBe(`${lines[2]}\n`);
    expect((await content(p, '/journal/user-timer.service.jsonl')).text).toBe(`${lines[3]}\n`);
    expect((await content(p, '/journal/cron-daily.jsonl')).text).toBe(`${lines[4]}\n`);
    expect((await content(p, '/journal/other.jsonl')).text).toBe(`${lines[5]}\n`);
    const cursor = JSON.parse(lines[7] as string).__CURSOR;
    expect((await content(p, '/journal/.journal-cursor')).text).toBe(cursor);

    const root = await (await Pond.open(p)).tree();
    const nginx = await root.file('/journal/nginx.service.jsonl');
    const [v] = await nginx.node.file.versions();
    expect(v).toMatchObject({
      minEventTime: 1_700_000_000_000_003,
      maxEventTime: 1_700_000_000_000_005,
    });
    expect(JSON.parse(v?.extendedAttributes ?? '{}')).toEqual({
      time_column: '__REALTIME_TIMESTAMP',
    });
    expect(await argsRuns(argsLog)).toEqual([['--output=json', '--no-pager']]);

    const status = await pondWithOk(p, env, 'run', '/collect', 'status');
    expect(status).toBe(
      `Cursor: ${cursor}\nLog files (6):\n  cron-daily.jsonl\n  kernel.jsonl\n  nginx.service.jsonl\n  other.jsonl\n  user-app.service.jsonl\n  user-timer.service.jsonl\n`,
    );
  });

  it('resumes at the cursor: across runs every entry is stored exactly once', async () => {
    const { p, env, add, argsLog } = await setup(
      'extra_args: ["--merge", "--unit", "a.service", "PRIORITY=3"]\n',
    );
    const all: string[] = [];
    for (let run = 0; run < 3; run++) {
      const batch = [0, 1, 2].map(() => entry({ _SYSTEMD_UNIT: 'a.service' }));
      all.push(...batch);
      await add(...batch);
      await pondWithOk(p, env, 'run', '/collect');
    }
    expect(await content(p, '/journal/a.service.jsonl')).toEqual({
      text: all.map((l) => `${l}\n`).join(''),
      versions: 3,
    });
    const runs = await argsRuns(argsLog);
    expect(runs[0]).toEqual([
      '--output=json',
      '--no-pager',
      '--merge',
      '--unit',
      'a.service',
      'PRIORITY=3',
    ]);
    expect(runs[2]?.[2]).toBe(`--after-cursor=${JSON.parse(all[5] as string).__CURSOR}`);

    const before = await dataVersion(p);
    expect(await pondWithOk(p, env, 'run', '/collect')).toContain('0 entries');
    expect(await dataVersion(p)).toBe(before);
  });

  it('commits nothing when the reader fails mid-way, and the next run loses nothing', async () => {
    const { p, env, add } = await setup();
    const first = [entry({ _SYSTEMD_UNIT: 'a.service' })];
    await add(...first);
    await pondWithOk(p, env, 'run', '/collect');
    const more = [0, 1, 2, 3].map(() => entry({ _SYSTEMD_UNIT: 'a.service' }));
    await add(...more);
    const before = await dataVersion(p);
    const failed = await pondWith(p, { ...env, STANDIN_FAIL_AFTER: '2' }, 'run', '/collect');
    expect(failed.code).toBe('IO');
    expect(String(failed.error)).toContain('journal read failed');
    expect(await dataVersion(p)).toBe(before);
    await pondWithOk(p, env, 'run', '/collect');
    expect((await content(p, '/journal/a.service.jsonl')).text).toBe(
      [...first, ...more].map((l) => `${l}\n`).join(''),
    );
  });

  it("runs only this machine's journal reader: another program named in a stored config is refused", async () => {
    const { p, host, env, argsLog, add } = await setup();
    await add(entry({}));
    const cfg = await hostConfig(host, 'other', `pond_path: /j2\njournalctl_command: ${STANDIN}\n`);
    await pondOk(p, 'mknod', 'journal-ingest', '/other', '--config-path', cfg);
    const before = await dataVersion(p);
    const { POND_JOURNALCTL: _, ...noOperator } = env;
    const refused = await pondWith(p, noOperator, 'run', '/other');
    expect(refused.code).toBe('INVALID_CONFIG');
    expect(String(refused.error)).toContain('POND_JOURNALCTL');
    expect(await stat(argsLog).catch(() => null)).toBeNull();
    expect(await dataVersion(p)).toBe(before);

    // The operator naming that same program allows it.
    expect(await pondWithOk(p, env, 'run', '/other')).toContain('1 entries into 1 files');

    // Filters only: an option that writes or changes the output is refused at mknod.
    for (const bad of ['--vacuum-size=1', '--output=cat', '--cursor-file', '--follow', '/bin/sh']) {
      const text = `pond_path: /j3\nextra_args: ["${bad}"]\n`;
      const made = await pondWith(
        p,
        env,
        'mknod',
        'journal-ingest',
        '/bad',
        '--config-path',
        await hostConfig(host, 'bad', text),
      );
      expect(made.code).toBe('INVALID_CONFIG');
    }
    // Without a pond there is nothing to write to: refused before anything runs.
    const runs = (await argsRuns(argsLog)).length;
    const hostRun = await pondWith(
      p,
      env,
      'run',
      `host+journal-ingest://${join(host, 'journal.yaml')}`,
    );
    expect(hostRun.code).toBe('INVALID_ARGUMENT');
    expect((await argsRuns(argsLog)).length).toBe(runs);
  });

  it('reports a missing reader as NOT_FOUND, committing nothing', async () => {
    const { p, env, add } = await setup();
    await add(entry({}));
    const before = await dataVersion(p);
    const missing = await pondWith(
      p,
      { ...env, POND_JOURNALCTL: '/nonexistent/journalctl' },
      'run',
      '/collect',
    );
    expect(missing.code).toBe('NOT_FOUND');
    expect(await dataVersion(p)).toBe(before);
    const status = await pondWithOk(p, env, 'run', '/collect', 'status');
    expect(status).toBe(
      'Cursor: (none -- will collect from beginning)\nNo log files collected yet (directory does not exist).\n',
    );
  });

  it('never runs the journal-ingest node of a pond imported from elsewhere', async () => {
    const { p: origin, env, add, argsLog, host } = await setup();
    await add(entry({}));
    await pondOk(origin, 'backup', 'add', 'origin', `file://${join(host, 'remote')}`);
    await pondOk(origin, 'push');
    const { p: local } = await pondAndHost();
    await pondOk(local, 'remote', 'add', 'site', `file://${join(host, 'remote')}`, '/imports/site');
    await pondOk(local, 'pull', 'site');
    expect((await pondOk(local, 'list', '/imports/site/*')).stdout).toContain(
      '/imports/site/collect',
    );
    const before = await dataVersion(local);
    const r = await pondWith(local, env, 'run', '/imports/site/collect');
    expect(r.code).toBe('INVALID_ARGUMENT');
    expect(await stat(argsLog).catch(() => null)).toBeNull();
    expect(await dataVersion(local)).toBe(before);
  });

  it('stores a journal larger than its memory limit exactly, through spilled files', async () => {
    const { p, env, journal } = await setup();
    const lines: string[] = [];
    const pad = 'x'.repeat(180);
    for (let i = 0; i < 110_000; i++) {
      lines.push(entry({ _SYSTEMD_UNIT: i % 3 ? 'a.service' : 'b.service', PAD: pad }));
    }
    const text = (keep: (l: string) => boolean) =>
      lines
        .filter(keep)
        .map((l) => `${l}\n`)
        .join('');
    await writeFile(
      journal,
      text(() => true),
    );
    expect((await stat(journal)).size).toBeGreaterThan(SPILL_BYTES);
    expect(await pondWithOk(p, env, 'run', '/collect')).toContain('110000 entries into 2 files');
    const a = await content(p, '/journal/a.service.jsonl');
    expect(a.text === text((l) => l.includes('"a.service"'))).toBe(true);
    const b = await content(p, '/journal/b.service.jsonl');
    expect(b.text === text((l) => l.includes('"b.service"'))).toBe(true);
    expect(await readdir(join(p, 'cache')).catch(() => [])).not.toContain(
      expect.stringMatching(/^journal-/),
    );
  });
});

// SPDX-License-Identifier: Apache-2.0
/**
 * logfile-ingest on real ponds: host logs in a temp directory beside the pond (inside its
 * default host root), the factory run through the CLI; what the pond holds is read back
 * per version.
 */

import { appendFile, mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blake3Hex } from '../../ts/native/store.js';
import { Pond } from '../../ts/pond.js';
import { collect } from '../../ts/tinyfs/persistence.js';
import { dataVersion, hostConfig, pondAndHost, pondOk } from '../helpers.js';
import { pondWith } from './cli-env.js';

const CONFIG = `archived_pattern: host/app.log.*
active_pattern: host/app.log
pond_path: /logs
`;

async function setup(config = CONFIG): Promise<{ p: string; host: string; dir: string }> {
  const { p, host } = await pondAndHost();
  const dir = join(host, '..');
  await pondOk(
    p,
    'mknod',
    'logfile-ingest',
    '/ingest',
    '--config-path',
    await hostConfig(dir, 'ingest', config),
  );
  return { p, host, dir };
}

async function ingest(p: string, ...args: string[]): Promise<string> {
  return (await pondOk(p, 'run', '/ingest', ...args)).stdout;
}

/** Every version's bytes of a pond file, as text, oldest first. */
async function versionsOf(p: string, path: string): Promise<string[]> {
  const root = await (await Pond.open(p)).tree();
  const np = await root.file(path);
  const out: string[] = [];
  for (const v of await np.node.file.versions()) {
    out.push(Buffer.from(await collect(np.node.file.read(v.version))).toString('utf8'));
  }
  return out;
}

async function names(p: string): Promise<string[]> {
  const root = await (await Pond.open(p)).tree();
  const dir = await root.get('/logs');
  if (dir.node.kind !== 'directory') throw new Error('not a directory');
  return (await dir.node.dir.entries()).map(([n]) => n).sort();
}

describe('logfile-ingest', () => {
  it('ingests new files whole, then appends only the bytes each run adds', async () => {
    const { p, host } = await setup();
    await writeFile(join(host, 'app.log.1'), 'old 1\nold 2\n');
    await writeFile(join(host, 'app.log'), 'a\nb\n');
    expect(await ingest(p)).toContain('2 new, 0 appended, 0 unchanged, 0 rotated; 16 bytes');
    await appendFile(join(host, 'app.log'), 'c\n');
    expect(await ingest(p)).toContain('0 new, 1 appended, 1 unchanged');
    await appendFile(join(host, 'app.log'), 'd\ne');
    await ingest(p);
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['a\nb\n', 'c\n', 'd\ne']);
    expect(await versionsOf(p, '/logs/app.log.1')).toEqual(['old 1\nold 2\n']);
    expect((await pondOk(p, 'cat', '/logs/app.log')).stdout).toBe('a\nb\nc\nd\ne');
    const list = await pondOk(p, 'list', '-l', '/logs/*');
    expect(list.stdout).toMatch(/data:series .* v3 .* \/logs\/app\.log\n/);

    const before = await dataVersion(p);
    expect(await ingest(p)).toContain('0 new, 0 appended, 2 unchanged');
    expect(await dataVersion(p)).toBe(before);
  });

  it('follows a rotation: the pond file takes the archived name with its history, the new active file starts over', async () => {
    const { p, host } = await setup();
    await writeFile(join(host, 'app.log'), 'one\n');
    await ingest(p);
    const id = (await pondOk(p, 'list', '-l', '/logs/app.log')).stdout.split(/\s+/)[2];
    await appendFile(join(host, 'app.log'), 'two\n');
    await rename(join(host, 'app.log'), join(host, 'app.log.1'));
    await writeFile(join(host, 'app.log'), 'fresh\n');
    expect(await ingest(p)).toContain('1 new, 0 appended, 0 unchanged, 1 rotated; 10 bytes');
    expect(await names(p)).toEqual(['app.log', 'app.log.1']);
    expect(await versionsOf(p, '/logs/app.log.1')).toEqual(['one\n', 'two\n']);
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['fresh\n']);
    expect((await pondOk(p, 'list', '-l', '/logs/app.log.1')).stdout.split(/\s+/)[2]).toBe(id);

    // Numbered rotation shifts archive names (app.log.1 -> app.log.2): the pond's files are
    // keyed by name, so the host's app.log.1 is no longer what the pond's holds. As in the
    // original this is refused (archives must keep their names: logrotate's dateext).
    await rename(join(host, 'app.log.1'), join(host, 'app.log.2'));
    await rename(join(host, 'app.log'), join(host, 'app.log.1'));
    await writeFile(join(host, 'app.log'), 'third\n');
    const shifted = await pondWith(p, {}, 'run', '/ingest');
    expect(shifted.code).toBe('INVALID_DATA');
    expect(shifted.error).toMatchObject({ path: join(host, 'app.log') });
  });

  it('prints b3sum lines that match the BLAKE3 of the host bytes', async () => {
    const { p, host } = await setup();
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 10)) & 0xff;
    await writeFile(join(host, 'app.log'), big.subarray(0, 2 * 1024 * 1024 + 5));
    await writeFile(join(host, 'app.log.1'), 'x\n');
    await ingest(p);
    await writeFile(join(host, 'app.log'), big);
    expect(await ingest(p)).toContain(
      `1 appended, 1 unchanged, 0 rotated; ${big.length - (2 * 1024 * 1024 + 5)} bytes`,
    );
    const sums = await ingest(p, 'b3sum');
    expect(sums).toBe(`${blake3Hex(big)}  app.log\n${blake3Hex(Buffer.from('x\n'))}  app.log.1\n`);
    expect((await pondOk(p, 'cat', '/logs/app.log')).bytes.equals(big)).toBe(true);
  });

  it('warns and writes nothing when the active file shrank and no archive continues it', async () => {
    const { p, host } = await setup();
    await writeFile(join(host, 'app.log'), 'a long first line\n');
    await ingest(p);
    await writeFile(join(host, 'app.log'), 'x\n');
    const before = await dataVersion(p);
    const out = await ingest(p);
    expect(out).toContain('SHRUNK from 18 to 2 bytes');
    expect(await dataVersion(p)).toBe(before);
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['a long first line\n']);
  });

  it('refuses an active file rewritten in place (same size or larger) that no archive continues', async () => {
    const { p, host } = await setup();
    await writeFile(join(host, 'app.log'), 'abc\n');
    await ingest(p);
    const before = await dataVersion(p);
    for (const text of ['xyz\n', 'xyz\nmore\n']) {
      await writeFile(join(host, 'app.log'), text);
      const r = await pondWith(p, {}, 'run', '/ingest');
      expect(r.code).toBe('INVALID_DATA');
      expect(r.error).toMatchObject({ path: join(host, 'app.log') });
    }
    expect(await dataVersion(p)).toBe(before);
  });

  it('fails the whole run, committing nothing, when an archived file changed', async () => {
    const { p, host } = await setup();
    await writeFile(join(host, 'app.log.1'), 'archived\n');
    await writeFile(join(host, 'app.log'), 'live\n');
    await ingest(p);
    await appendFile(join(host, 'app.log'), 'more live\n');
    await writeFile(join(host, 'app.log.1'), 'ARCHIVED\n');
    const before = await dataVersion(p);
    const r = await pondWith(p, {}, 'run', '/ingest');
    expect(r.code).toBe('INVALID_DATA');
    expect(r.error).toMatchObject({ path: join(host, 'app.log.1') });
    expect(await dataVersion(p)).toBe(before);
    expect(await versionsOf(p, '/logs/app.log')).toEqual(['live\n']);
    expect((await pondOk(p, 'log', '--limit', '1')).stdout).toContain('FAILED');
  });

  it('keeps host reads inside the host root and never follows a symlink', async () => {
    const { p, host, dir } = await setup();
    await writeFile(join(host, 'app.log'), 'ok\n');
    const outside = await pondAndHost();
    await writeFile(join(outside.host, 'secret.log'), 'secret\n');
    await symlink(join(outside.host, 'secret.log'), join(host, 'app.log.1'));
    expect(await ingest(p)).toContain('1 new');
    expect(await names(p)).toEqual(['app.log']);

    for (const [key, value] of [
      ['active_pattern', join(outside.host, '*.log')],
      ['active_pattern', '../../etc/*'],
      ['archived_pattern', ''],
    ] as const) {
      const config = {
        archived_pattern: 'host/none.*',
        active_pattern: 'host/app.log',
        pond_path: '/x',
      };
      const text = Object.entries({ ...config, [key]: value })
        .map(([k, v]) => `${k}: "${v}"`)
        .join('\n');
      await writeFile(join(dir, 'bad.yaml'), text);
      const node = `/bad-${key}-${value.length}`;
      const made = await pondWith(
        p,
        {},
        'mknod',
        'logfile-ingest',
        node,
        '--config-path',
        join(dir, 'bad.yaml'),
      );
      const r = made.code === 'OK' ? await pondWith(p, {}, 'run', node) : made;
      expect(r.code).toBe('INVALID_CONFIG');
    }
    expect(await names(p)).toEqual(['app.log']);
  });

  it('refuses two host files with one name, unknown keys and unknown arguments', async () => {
    const { p, host, dir } = await setup(`archived_pattern: host/old/*
active_pattern: host/app.log
pond_path: /logs
`);
    await mkdir(join(host, 'old'));
    await writeFile(join(host, 'old', 'app.log'), 'old\n');
    await writeFile(join(host, 'app.log'), 'new\n');
    const clash = await pondWith(p, {}, 'run', '/ingest');
    expect(clash.code).toBe('INVALID_CONFIG');
    expect(clash.error).toMatchObject({ path: join(host, 'app.log') });

    expect((await pondWith(p, {}, 'run', '/ingest', 'fetch')).code).toBe('INVALID_ARGUMENT');
    const hostRun = await pondWith(
      p,
      {},
      'run',
      `host+logfile-ingest://${join(dir, 'ingest.yaml')}`,
    );
    expect(hostRun.code).toBe('INVALID_ARGUMENT');
    await writeFile(join(dir, 'extra.yaml'), `${CONFIG}compress: true\n`);
    const extra = await pondWith(
      p,
      {},
      'mknod',
      'logfile-ingest',
      '/e',
      '--config-path',
      join(dir, 'extra.yaml'),
    );
    expect(extra.code).toBe('INVALID_CONFIG');
    expect(String(extra.error)).toContain('compress');
    const before = await dataVersion(p);
    expect((await pondOk(p, 'run', '/ingest', 'pull')).stdout).toBe('');
    expect(await dataVersion(p)).toBe(before);
  });

  it('expands ${env:} in the globs at run time only, and names the variable, not its value, in errors', async () => {
    const { p, host, dir } = await setup();
    await writeFile(
      join(dir, 'env.yaml'),
      'archived_pattern: "${env:LOGDIR}/app.log.*"\nactive_pattern: "${env:LOGDIR}/app.log"\npond_path: /envlogs\n',
    );
    const env = { LOGDIR: host };
    expect(
      (
        await pondWith(
          p,
          env,
          'mknod',
          'logfile-ingest',
          '/env',
          '--config-path',
          join(dir, 'env.yaml'),
        )
      ).code,
    ).toBe('OK');
    expect((await pondWith(p, env, 'cat', '/env')).stdout).toContain('${env:LOGDIR}/app.log');
    await writeFile(join(host, 'app.log.1'), 'archived\n');
    const out = await pondWith(p, env, 'run', '/env');
    expect(out.stdout).toContain('1 new');
    await writeFile(join(host, 'app.log.1'), 'changed!\n');
    const r = await pondWith(p, env, 'run', '/env');
    expect(r.code).toBe('INVALID_DATA');
    expect(r.error).toMatchObject({ path: '${env:LOGDIR}/app.log.1' });
    expect(String(r.error)).not.toContain(host);
    expect((await pondOk(p, 'log', '--limit', '1')).stdout).not.toContain(host);
  });
});

// SPDX-License-Identifier: Apache-2.0
/**
 * `pond completion`: the candidates `pond __complete` prints for each position of a
 * command line (read from the same commander tree that parses it, and pond paths from a
 * real pond), and the bash, zsh and fish scripts run in those shells.
 */
import { execFileSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pondOk, REPO } from '../helpers.js';
import { suiteDir } from './suite.js';

let p = '';
beforeAll(async () => {
  p = join(await suiteDir('pond-completion-'), 'pond');
  await pondOk(p, 'init');
  await pondOk(p, 'mkdir', '-p', '/sensors/well');
  await pondOk(p, 'mkdir', '/site');
}, 120_000);

async function candidates(...words: string[]): Promise<string[]> {
  const r = await pondOk(p, '__complete', '--', ...words);
  return r.stdout.split('\n').filter(Boolean);
}

describe('pond __complete', () => {
  it('completes command names, without the hidden ones', async () => {
    expect(await candidates('li')).toEqual(['list', 'list-factories']);
    expect(await candidates('')).toContain('completion');
    expect(await candidates('__')).toEqual([]);
  });

  it('completes the options of the command, then the global ones', async () => {
    const options = await candidates('sql', '--');
    expect(options).toContain('--format');
    expect(options).toContain('--pond');
    expect(options).not.toContain('--display'); // hidden alias
    expect(await candidates('--qu')).toEqual(['--quiet']);
  });

  it("completes an option's choices, after global options with values", async () => {
    expect(await candidates('--pond', p, 'list', '--format', '')).toEqual(['text', 'json']);
    expect(await candidates('completion', 'z')).toEqual(['zsh']);
    expect(await candidates('help', 'exit')).toEqual(['exit-codes']);
  });

  it('completes pond paths from the selected pond, directories ending in /', async () => {
    expect(await candidates('list', '/')).toEqual(['/sensors/', '/site/']);
    expect(await candidates('cat', '/sensors/')).toEqual(['/sensors/well/']);
    expect(await candidates('cat', '/nope/')).toEqual([]);
    // a host path or a bare word: nothing, so the shell completes files
    expect(await candidates('copy', './x')).toEqual([]);
  });

  it('adds descriptions for fish and zsh', async () => {
    const fish = await pondOk(p, '__complete', '--shell', 'fish', '--', 'ca');
    expect(fish.stdout).toMatch(/^cat\t\S/);
    const zsh = await pondOk(p, '__complete', '--shell', 'zsh', '--', 'ca');
    expect(zsh.stdout).toMatch(/^cat:\S/);
  });
});

describe('the completion scripts in their shells', () => {
  // `pond` on PATH: a shim that runs this checkout's bin.
  let bin = '';
  beforeAll(async () => {
    bin = await suiteDir('pond-completion-bin-');
    await writeFile(
      join(bin, 'pond'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'bin', 'pond.js')}" "$@"\n`,
    );
    await chmod(join(bin, 'pond'), 0o755);
  });
  const env = () => ({ ...process.env, POND: p, PATH: `${bin}${delimiter}${process.env.PATH}` });
  const shell = (name: string, script: string) =>
    execFileSync(name, ['-c', script], { env: env(), encoding: 'utf8', cwd: REPO });

  it('bash', () => {
    const out = shell(
      'bash',
      `source <(pond completion bash)
       COMP_WORDS=(pond li); COMP_CWORD=1; _pond_complete; echo "\${COMPREPLY[*]}"
       COMP_WORDS=(pond cat /se); COMP_CWORD=2; _pond_complete; echo "\${COMPREPLY[*]}"`,
    );
    expect(out).toBe('list list-factories\n/sensors/\n');
  });

  it('zsh (with the completion builtins recorded, as outside a widget they do not exist)', () => {
    const out = shell(
      'zsh',
      `compdef() { print -r -- "compdef $*"; }
       compadd() { print -r -- "compadd $*"; }
       _describe() { print -r -- "describe \${(P)2}"; }
       _files() { print files; }
       source <(pond completion zsh)
       words=(pond li); CURRENT=2; _pond
       words=(pond cat /se); CURRENT=3; _pond
       words=(pond copy ./x); CURRENT=3; _pond`,
    );
    expect(out.split('\n')).toEqual([
      'compdef _pond pond',
      expect.stringMatching(/^describe list:\S.* list-factories:\S/),
      'compadd -S  -- /sensors/',
      'files',
      '',
    ]);
  });

  it('fish', () => {
    const out = shell(
      'fish',
      `pond completion fish | source
       complete -C "pond li"
       complete -C "pond cat /se"`,
    );
    expect(out.split('\n')).toEqual([
      expect.stringMatching(/^list\t\S/),
      expect.stringMatching(/^list-factories\t\S/),
      '/sensors/',
      '',
    ]);
  });
});

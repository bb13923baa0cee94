// SPDX-License-Identifier: Apache-2.0
/**
 * The no-compiler install: the release workflow's pack-job commands, run here on the addon
 * just built, pack duckpond and this machine's platform package; scripts/smoke-install.mjs
 * installs both into a new project whose PATH has no cargo or rustc and runs
 * `npx pond --help`, `npx pond demo` and an ESM program importing duckpond there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { platformTriple } from '../../ts/native/addon.js';
import { REPO, tempDir } from '../helpers.js';

interface Step {
  run?: string;
}

/** The `node scripts/...` commands of the release workflow's pack job, in order. */
function packJobCommands(): string[] {
  const workflow = parse(readFileSync(join(REPO, '.github', 'workflows', 'release.yml'), 'utf8'));
  const steps: Step[] = workflow.jobs.pack.steps;
  return steps.flatMap((step) => (step.run?.startsWith('node scripts/') ? [step.run.trim()] : []));
}

describe('npx pond in the clone', () => {
  it("runs the clone's own bin without downloading or rebuilding (scripts/prepare.mjs)", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    // --offline: a registry lookup of some package named pond would fail
    const out = execFileSync('npx', ['--offline', 'pond', '--version'], {
      cwd: REPO,
      env: { ...process.env, CI: 'true' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out.trim()).toBe(pkg.version);
  });
});

describe('installing the packed tarballs', () => {
  it('the pack job packs and smoke-tests with the two shared scripts', () => {
    expect(packJobCommands()).toEqual([
      'node scripts/pack.mjs --artifacts "$ADDONS" --out "$PACK"',
      'node scripts/smoke-install.mjs "$PACK"',
    ]);
  });

  it('works with no Rust toolchain on PATH', async () => {
    const pack = join(await tempDir(), 'pack');
    const env = { ...process.env, ADDONS: join(REPO, 'native'), PACK: pack };
    const output = packJobCommands()
      .map((command) => execFileSync('bash', ['-c', command], { cwd: REPO, env, encoding: 'utf8' }))
      .join('');
    const platform = platformTriple();
    const packed = JSON.parse(readFileSync(join(pack, 'pack.json'), 'utf8'));
    expect(packed.map((p: { name: string }) => p.name)).toEqual([
      `duckpond-${platform}`,
      'duckpond',
    ]);
    for (const { file } of packed) expect(existsSync(join(pack, file))).toBe(true);
    for (const step of ['npx pond --help', 'npx pond demo', 'import { Pond } from duckpond']) {
      expect(output).toContain(`ok  ${step}`);
    }
    const summary = JSON.parse(output.trim().split('\n').pop()!);
    expect(summary.platform).toBe(platform);
    console.log(`packed and installed from tarballs: install ${summary.installSeconds} s`);
  }, 600_000);
});

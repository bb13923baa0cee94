// SPDX-License-Identifier: Apache-2.0
// Builds the napi addon into native/duckpond.<platform>.node with the lean `ci` profile
// (DUCKPOND_PROFILE picks another). Arguments are passed on to `napi build`, e.g.
// `--target aarch64-unknown-linux-gnu --use-napi-cross` in the release workflow.
// CARGO_TARGET_DIR defaults to a cache outside the checkout so a fresh clone reuses a
// previous build of deltalake + DataFusion instead of compiling them for tens of minutes.
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { rememberTypeDefFolder } from './typedef-folder.mjs';

const env = { ...process.env };
env.CARGO_TARGET_DIR ??= join(homedir(), '.cache', 'duckpond', 'target');
const profile = env.DUCKPOND_PROFILE ?? 'ci';
const args = [
  'napi',
  'build',
  '--platform',
  '--manifest-path',
  'native/Cargo.toml',
  '--output-dir',
  'native',
  '--no-js',
  '--dts',
  'binding.d.ts',
  '--profile',
  profile,
];
if (env.DUCKPOND_FEATURES) args.push('--features', env.DUCKPOND_FEATURES);
args.push(...process.argv.slice(2));
const started = Date.now();
const result = spawnSync('npx', args, {
  stdio: 'inherit',
  env,
  shell: process.platform === 'win32',
});
if (result.status !== 0) {
  console.error(
    `native build failed (exit ${result.status}); is cargo installed? see docs/building.md`,
  );
  process.exit(result.status ?? 1);
}
rememberTypeDefFolder(env.CARGO_TARGET_DIR, started);
console.error(`native build (${profile}) took ${((Date.now() - started) / 1000).toFixed(1)} s`);

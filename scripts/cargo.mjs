// SPDX-License-Identifier: Apache-2.0
// Cargo steps for the addon, for the host triple explicitly (as `napi build` does) so
// every step shares one directory of compiled dependencies.
//   node scripts/cargo.mjs lint   rustfmt --check and clippy -D warnings
//   node scripts/cargo.mjs test   the Rust unit tests
import { execFileSync, spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { restore, snapshot, typeDefFolder } from './typedef-folder.mjs';

const env = { ...process.env };
env.CARGO_TARGET_DIR ??= join(homedir(), '.cache', 'duckpond', 'target');
// The addon's build script reruns when this differs from the last `napi build`'s, and the
// crate with it: without it, every `cargo test` or clippy would cost the next native build
// a full recompile of the crate.
// napi-derive appends the types of what it compiles to that folder, so its files are put
// back as they were afterwards (the next `napi build` reads them).
const folder = typeDefFolder(env.CARGO_TARGET_DIR);
if (folder) env.NAPI_TYPE_DEF_TMP_FOLDER = folder;
const saved = folder ? snapshot(folder) : null;
const host = /host: (\S+)/.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))?.[1];
const common = ['--profile', 'ci', '--target', host];
const steps = {
  lint: [
    ['fmt', '--all', '--check'],
    ['clippy', ...common, '--all-targets', '--', '-D', 'warnings'],
  ],
  test: [['test', ...common, '--lib']],
}[process.argv[2]];
if (!steps) {
  console.error('usage: node scripts/cargo.mjs lint|test');
  process.exit(2);
}
let status = 0;
for (const args of steps) {
  status = spawnSync('cargo', args, { stdio: 'inherit', env }).status ?? 1;
  if (status !== 0) break;
}
if (folder && saved) restore(folder, saved);
process.exit(status);

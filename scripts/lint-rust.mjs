// SPDX-License-Identifier: Apache-2.0
// rustfmt and clippy for the addon. Clippy runs for the host triple explicitly, as
// `napi build` does, so both share one directory of compiled dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

const env = { ...process.env };
env.CARGO_TARGET_DIR ??= join(homedir(), '.cache', 'duckpond', 'target');
const host = /host: (\S+)/.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))?.[1];
const steps = [
  ['fmt', '--all', '--check'],
  ['clippy', '--profile', 'ci', '--target', host, '--all-targets', '--', '-D', 'warnings'],
];
for (const args of steps) {
  const r = spawnSync('cargo', args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

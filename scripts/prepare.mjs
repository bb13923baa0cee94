// SPDX-License-Identifier: Apache-2.0
// `prepare`: what `npm install` / `npm ci` in a clone runs, which builds the addon from
// source and the TypeScript (`npm run build`).
// `npx pond ...` in a clone also lands here: npm runs a package's own bin by linking the
// clone into its npx cache, which runs `prepare` (npm_command=exec). That run only wants to
// start pond, so it uses the existing build when there is one instead of rebuilding (about
// 30 s even with nothing to compile); `npm run build` rebuilds after a change.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built =
  existsSync(join(root, 'dist', 'bundle', 'main.js')) &&
  readdirSync(join(root, 'native')).some((name) => /^duckpond\..+\.node$/.test(name));
if (process.env.npm_command === 'exec' && built) process.exit(0);
const result = spawnSync('npm', ['run', 'build'], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
process.exit(result.status ?? 1);

// SPDX-License-Identifier: Apache-2.0
// Bundles the CLI (dist/cli/main.js, as tsc wrote it, with commander, yaml and apache-arrow)
// into a few ESM chunks under dist/bundle/, which bin/pond.js runs. Node loads one file far
// faster than the ~250 modules behind it (apache-arrow alone is 146), and the dynamic
// imports that keep `pond --help` from loading the engine stay separate chunks.
// The library (`import { Pond } from 'duckpond'`) is not bundled: programs must share
// apache-arrow's classes with pond, and their bundlers do their own work.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
await build({
  input: join(root, 'dist', 'cli', 'main.js'),
  platform: 'node',
  logLevel: 'warn',
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: 'main.js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
    minify: process.env.DUCKPOND_MINIFY === '1',
  },
});

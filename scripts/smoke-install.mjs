// SPDX-License-Identifier: Apache-2.0
// Installs the tarballs scripts/pack.mjs made (duckpond and the platform package of this
// machine) into a new project, with no Rust toolchain on PATH, and uses them there as a
// user would: `npx pond --help`, `npx pond demo DIR`, and an ESM program that imports
// duckpond, creates a pond and queries it. Fails on the first step that does not work.
// The release workflow's pack job and test/package/install.test.ts run it the same way.
//
//   node scripts/smoke-install.mjs PACK_DIR [--project DIR]
//
// Prints one line per step and a last line of JSON: {"installSeconds": ..., "platform": ...}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { project: { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error('usage: node scripts/smoke-install.mjs PACK_DIR [--project DIR]');
  process.exit(2);
}
const packDir = resolve(positionals[0]);
const packed = JSON.parse(readFileSync(join(packDir, 'pack.json'), 'utf8'));
const { platformTriple } = await import('../dist/native/addon.js');
const platform = platformTriple();
const main = packed.find((p) => p.platform === null);
const addon = packed.find((p) => p.platform === platform);
if (!main || !addon) {
  throw new Error(`${packDir}/pack.json lacks duckpond or duckpond-${platform}`);
}

const project = values.project
  ? resolve(values.project)
  : mkdtempSync(join(tmpdir(), 'duckpond-smoke-'));
mkdirSync(project, { recursive: true });
writeFileSync(
  join(project, 'package.json'),
  `${JSON.stringify({ name: 'smoke', private: true, type: 'module' }, null, 2)}\n`,
);

// PATH without the directories that hold cargo or rustc: nothing can compile the addon.
const toolchain = ['cargo', 'rustc', 'cargo.exe', 'rustc.exe'];
const path = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir && !toolchain.some((tool) => existsSync(join(dir, tool))))
  .join(delimiter);
const env = { ...process.env, PATH: path, CI: 'true' };
delete env.DUCKPOND_NATIVE;
for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];

function run(command, args, options = {}) {
  return execFileSync(command, args, {
    cwd: project,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: process.platform === 'win32',
    ...options,
  });
}

function check(step, output, expected) {
  if (!expected.test(output)) {
    throw new Error(`${step}: output does not match ${expected}:\n${output}`);
  }
  console.log(`ok  ${step}`);
}

const started = process.hrtime.bigint();
run('npm', [
  'install',
  '--no-audit',
  '--no-fund',
  '--prefer-offline',
  '--loglevel=error',
  join(packDir, main.file),
  join(packDir, addon.file),
]);
const installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`ok  npm install of the two tarballs (${installSeconds.toFixed(1)} s)`);

const installed = join(project, 'node_modules', 'duckpond');
if (existsSync(join(installed, 'native', `duckpond.${platform}.node`))) {
  throw new Error('the duckpond package carries an addon of its own');
}
check('npx pond --help', run('npx', ['pond', '--help']), /Usage: pond/);
check(
  'npx pond demo',
  run('npx', ['pond', 'demo', join(project, 'demo-pond')]),
  /Created a demo pond at/,
);

const program = join(project, 'program.mjs');
writeFileSync(
  program,
  `import { Pond } from 'duckpond';
const pond = await Pond.create(process.argv[2]);
await pond.transaction(async (tx) => {
  await tx.mkdir('/notes');
  await tx.write('/notes/a.csv', 'id,ph\\n1,7.1\\n2,7.3\\n');
});
const table = await pond.sql("SELECT count(*) AS n, max(ph) AS top FROM 'csv:///notes/*.csv'");
const row = table.get(0).toJSON();
console.log(\`rows=\${row.n} top=\${row.top}\`);
`,
);
check(
  'import { Pond } from duckpond',
  run('node', [program, join(project, 'lib-pond')]),
  /rows=2 top=7\.3/,
);
console.log(JSON.stringify({ installSeconds: Number(installSeconds.toFixed(2)), platform }));

// SPDX-License-Identifier: Apache-2.0
// Compares builds of the addon (cargo profiles): for each `.node` file, its size and the
// query benchmark (bench/query.mjs) run with that addon through DUCKPOND_NATIVE, with
// ratios against the first file named. Use it to choose a release profile:
//   DUCKPOND_PROFILE=release npm run build:native && cp native/duckpond.*.node /tmp/release.node
//   node bench/profiles.mjs ci=/tmp/ci.node release=/tmp/release.node [VERSIONS ROWS]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const builds = args.filter((a) => a.includes('=')).map((a) => a.split('='));
const sizes = args.filter((a) => !a.includes('='));
if (builds.length === 0) {
  console.error('usage: node bench/profiles.mjs NAME=ADDON.node... [VERSIONS ROWS]');
  process.exit(2);
}
const [versions = '50', rows = '100000'] = sizes;

/** The figures of one bench/query.mjs run, from its output lines. */
function figures(output) {
  const number = (re) => Number(re.exec(output)?.[1] ?? Number.NaN);
  return {
    ingest: number(/^ingest: (\d+) ms/m),
    full: number(/^ {2}pond sql +(\d+) ms/m),
    raw: number(/^ {2}raw DataFusion +(\d+) ms/m),
    range: number(/^ {2}pond sql +([\d.]+) ms +full\/range/m),
  };
}

const results = [];
for (const [name, file] of builds) {
  const addon = resolve(file);
  const run = spawnSync(
    process.execPath,
    [join(import.meta.dirname, 'query.mjs'), versions, rows],
    { env: { ...process.env, DUCKPOND_NATIVE: addon }, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`${name}: bench/query.mjs failed:\n${run.stderr}`);
  results.push({ name, mb: statSync(addon).size / 1e6, ...figures(run.stdout) });
}

const base = results[0];
const ratio = (value, key) => (value / base[key]).toFixed(2);
console.log(`query bench (${versions} versions x ${rows} rows), ratios against ${base.name}:`);
console.log('build      .node MB   ingest ms   full-scan ms   raw DF ms   range ms');
for (const r of results) {
  console.log(
    `${r.name.padEnd(10)} ${r.mb.toFixed(1).padStart(8)}   ${`${r.ingest} (${ratio(r.ingest, 'ingest')})`.padStart(11)}` +
      `   ${`${r.full} (${ratio(r.full, 'full')})`.padStart(12)}   ${`${r.raw} (${ratio(r.raw, 'raw')})`.padStart(9)}` +
      `   ${`${r.range} (${ratio(r.range, 'range')})`.padStart(8)}`,
  );
}

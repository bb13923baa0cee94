// SPDX-License-Identifier: Apache-2.0
// Peak RSS of `pond sql` over ROWS rows (default 10M) in every output format, stdout to
// /dev/null, plus the terminal table (stdout a pseudo-terminal via script(1), when present).
// Each run is a fresh process preloaded with rss-report.mjs, which prints its peak RSS.
//   node bench/output-memory.mjs [ROWS]
import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// POND_BIN=path/to/bin/pond.js measures another build (for before/after figures).
const bin = process.env.POND_BIN ?? join(here, '..', 'bin', 'pond.js');
const report = join(here, 'rss-report.mjs');
const rows = Number(process.argv[2] ?? 10_000_000);
const sql = `SELECT value, value * 0.5 AS half, 'row ' || CAST(value AS VARCHAR) AS label FROM generate_series(1, ${rows})`;

function measure(command, args, stdout) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const env = { ...process.env };
    delete env.POND;
    const child = spawn(command, args, { env, stdio: ['ignore', stdout, 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => {
      err += c.toString();
    });
    // With script(1) the report arrives on the terminal, i.e. in stdout.
    let out = '';
    child.stdout?.on('data', (c) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = /max_rss_kb=(\d+)/.exec(err + out)?.[1];
      if (code !== 0 || !kb) reject(new Error(`${args.join(' ')} exited ${code}: ${err}`));
      else resolve({ mb: Number(kb) / 1024, s: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

const devNull = openSync('/dev/null', 'w');
const cases = ['csv', 'json', 'raw', 'table'].map((format) => [
  `--format ${format} > /dev/null`,
  () =>
    measure(process.execPath, ['--import', report, bin, 'sql', sql, '--format', format], devNull),
]);
if (existsSync('/usr/bin/script')) {
  const line = [process.execPath, '--import', report, bin, 'sql', `"${sql}"`].join(' ');
  cases.push([
    'terminal table (auto, --max-rows 40)',
    () => measure('/usr/bin/script', ['-qec', line, '/dev/null'], 'pipe'),
  ]);
}

console.log(`pond sql over ${rows.toLocaleString('en')} rows: peak RSS`);
for (const [name, run] of cases) {
  const { mb, s } = await run();
  console.log(
    `  ${name.padEnd(40)} ${mb.toFixed(0).padStart(6)} MB  ${s.toFixed(1).padStart(6)} s`,
  );
}

// SPDX-License-Identifier: Apache-2.0
/**
 * `pond demo`: a small pond of water-system data that exercises what pond can do so far:
 * directories, raw files with versions, a large file stored by hash, and the log.
 */

import { resolve } from 'node:path';
import { Pond } from '../pond.js';
import { listLine } from './format.js';

/** A day of 10-minute readings from one well, as CSV (deterministic). */
function wellCsv(name: string, day: number, phase: number): string {
  const rows = ['timestamp,level_m,temp_c'];
  const start = Date.UTC(2024, 0, day);
  for (let i = 0; i < 144; i++) {
    const t = new Date(start + i * 600_000).toISOString();
    const level = 12 + Math.sin((i / 144) * 2 * Math.PI + phase) * 0.8;
    const temp = 9 + Math.cos((i / 144) * 2 * Math.PI + phase) * 1.5;
    rows.push(`${t},${level.toFixed(3)},${temp.toFixed(2)}`);
  }
  return `${rows.join('\n')}\n# ${name}\n`;
}

export async function buildDemo(dir: string, cwd: string): Promise<string> {
  const path = resolve(cwd, dir);
  const pond = await Pond.create(path, { birthplace: 'demo' });
  await pond.transaction(
    async (tx) => {
      await tx.mkdir('/sensors/well-north', { parents: true });
      await tx.mkdir('/sensors/well-south', { parents: true });
      await tx.mkdir('/docs');
      await tx.write(
        '/docs/README.txt',
        'Two wells, 10-minute readings of water level and temperature.\n',
      );
      await tx.write('/sensors/well-north/readings.csv', wellCsv('well-north', 1, 0));
      await tx.write('/sensors/well-south/readings.csv', wellCsv('well-south', 1, 1.3));
    },
    { args: ['demo', 'load day 1'] },
  );
  // A second day arrives: each file gets a new version.
  await pond.transaction(
    async (tx) => {
      await tx.write('/sensors/well-north/readings.csv', wellCsv('well-north', 2, 0.2));
      await tx.write('/sensors/well-south/readings.csv', wellCsv('well-south', 2, 1.5));
      // A large raw file (>= 64 KiB) is stored once, outside the table, by its BLAKE3 hash.
      await tx.write(
        '/docs/archive.csv',
        Array.from({ length: 20 }, (_, d) => wellCsv('archive', d + 1, 0)).join(''),
      );
    },
    { args: ['demo', 'load day 2'] },
  );
  const entries = await pond.list('/**');
  const lines = entries.map((e) => listLine(e, pond.id, false));
  const sample = new TextDecoder()
    .decode(await pond.read('/sensors/well-north/readings.csv'))
    .split('\n')
    .slice(0, 4);
  return [
    `Created a demo pond at ${path}`,
    '',
    `$ POND=${path} pond list '/**'`,
    ...lines.map((l) => l.trimEnd()),
    '',
    `$ POND=${path} pond cat /sensors/well-north/readings.csv | head -4`,
    ...sample,
    '',
    'Try: pond log, pond describe, pond list -l /sensors/, pond copy /sensors host:///tmp/out',
    '',
  ].join('\n');
}

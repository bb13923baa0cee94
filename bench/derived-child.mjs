// SPDX-License-Identifier: Apache-2.0
// One variant of bench/derived.mjs in its own process, so its peak RSS is its own:
// node derived-child.mjs POND_DIR SQL RUNS -> prints "median_ms max_rss_kb".
import { Pond } from '../dist/index.js';

const [pondDir, sql, runs] = process.argv.slice(2);
const pond = await Pond.open(pondDir);
const times = [];
for (let i = 0; i <= Number(runs); i++) {
  const t = process.hrtime.bigint();
  await pond.sql(sql);
  if (i > 0) times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`${times[Math.floor(times.length / 2)]} ${process.resourceUsage().maxRSS}`);

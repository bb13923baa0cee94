// SPDX-License-Identifier: Apache-2.0
// Preloaded with `node --import` by benchmarks: prints this process's peak RSS at exit.
process.on('exit', () => {
  process.stderr.write(`\nmax_rss_kb=${process.resourceUsage().maxRSS}\n`);
});

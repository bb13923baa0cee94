// SPDX-License-Identifier: Apache-2.0
// Read-time formats (issue 18 item 4): the same N records written as csv, weblog,
// jsonlogs, oteljson and excelhtml host files, each read with
// `SELECT count(*), max(<column>) FROM 'host+<format>:///file'` (no cache: every run
// parses the whole file). Prints the median time, MB/s of the file's own bytes, rows/s and
// the ratio of each format's MB/s to csv's, all measured in this run.
// Run: npm run build && node bench/formats.mjs [RECORDS]   (default 400000: ~60 MB of weblog)
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pond } from '../dist/index.js';

const RECORDS = Number(process.argv[2] ?? 400_000);
const RUNS = 3;
const START = Date.UTC(2024, 0, 1);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const two = (n) => String(n).padStart(2, '0');

/** Record i: a request a second, its path, status and size. */
function record(i) {
  const t = new Date(START + i * 1000);
  return {
    t,
    path: `/api/readings/${i % 997}`,
    status: i % 50 === 0 ? 404 : 200,
    bytes: 100 + (i % 9000),
  };
}

function clf(t) {
  return `${two(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} +0000`;
}

const FORMATS = {
  csv: {
    column: 'bytes',
    head: 'timestamp,remote_addr,path,status,bytes,user_agent\n',
    line: (r) => `${r.t.toISOString()},10.0.0.1,${r.path},${r.status},${r.bytes},pond-bench/1.0\n`,
    tail: '',
  },
  weblog: {
    column: 'body_bytes_sent',
    head: '',
    line: (r) =>
      `10.0.0.1 - - [${clf(r.t)}] "GET ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "pond-bench/1.0"\n`,
    tail: '',
  },
  jsonlogs: {
    column: 'bytes',
    head: '',
    line: (r) =>
      `${JSON.stringify({ __REALTIME_TIMESTAMP: String(r.t.getTime() * 1000), remote_addr: '10.0.0.1', path: r.path, status: r.status, bytes: r.bytes, user_agent: 'pond-bench/1.0' })}\n`,
    tail: '',
  },
  oteljson: {
    column: 'bytes',
    head: '',
    line: (r) => {
      const time = `${BigInt(r.t.getTime()) * 1_000_000n}`;
      const point = (name, v) => ({
        name,
        gauge: { dataPoints: [{ timeUnixNano: time, asDouble: v }] },
      });
      return `${JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'host.name', value: { stringValue: 'bench' } }] }, scopeMetrics: [{ metrics: [point('bytes', r.bytes), point('status', r.status)] }] }] })}\n`;
    },
    tail: '',
  },
  excelhtml: {
    column: 'bytes',
    head: '<html><body><table id="isi-report">\n<tr class="dataHeader"><td>Date Time</td><td>status</td><td>bytes</td></tr>\n',
    line: (r) =>
      `<tr class="data"><td>${r.t.toISOString().replace('T', ' ').slice(0, 19)}</td><td>${r.status}</td><td>${r.bytes}</td></tr>\n`,
    tail: '</table></body></html>\n',
  },
};

async function write(path, format) {
  const out = createWriteStream(path);
  const put = (text) =>
    out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve));
  await put(format.head);
  let chunk = '';
  for (let i = 0; i < RECORDS; i++) {
    chunk += format.line(record(i));
    if (chunk.length > 1 << 20) {
      await put(chunk);
      chunk = '';
    }
  }
  await put(chunk + format.tail);
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return (await stat(path)).size;
}

const dir = await mkdtemp(join(tmpdir(), 'pond-bench-formats-'));
try {
  const pond = await Pond.create(join(dir, 'pond'));
  const results = [];
  for (const [name, format] of Object.entries(FORMATS)) {
    const path = join(dir, `data.${name}`);
    const size = await write(path, format);
    const sql = `SELECT count(*) AS n, max("${format.column}") AS m FROM 'host+${name}://${path}'`;
    const check = await pond.sql(sql);
    const n = Number(check.getChild('n')?.get(0));
    if (n !== RECORDS) throw new Error(`${name}: read ${n} rows, wrote ${RECORDS}`);
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      await pond.sql(sql);
      times.push(Number(process.hrtime.bigint() - t) / 1e9);
    }
    const s = median(times);
    results.push({ name, size, s, mbps: size / 1e6 / s, rows: RECORDS / s });
  }
  const csv = results.find((r) => r.name === 'csv');
  console.log(`formats: ${RECORDS} records each, median of ${RUNS} reads, no cache`);
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(9)} ${(r.size / 1e6).toFixed(1).padStart(6)} MB  ${r.s.toFixed(2).padStart(6)} s  ${r.mbps.toFixed(1).padStart(6)} MB/s  ${(r.rows / 1e6).toFixed(2)}M rows/s  MB/s vs csv ${(r.mbps / csv.mbps).toFixed(2)}x`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

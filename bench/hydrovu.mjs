// SPDX-License-Identifier: Apache-2.0
// The hydrovu collector against a HydroVu API on loopback: 3 devices, 10 pages each, ROWS
// timestamps per page (default 1000) with 4 parameters. Prints the wall time, requests and
// rows/s of a whole `collect` run into a fresh pond (token, dictionary, pages, wide rows,
// one series version per device, one commit), next to the baseline measured in the same
// run: the same pages fetched and parsed by the client alone, with no pond. Medians of 3.
//   npm run build:ts && node bench/hydrovu.mjs [ROWS]

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pond } from '../dist/index.js';
import { HydroVuClient } from '../dist/ingest/hydrovu/client.js';

const ROWS = Number(process.argv[2] ?? 1000);
const DEVICES = [6582334, 6582335, 6582336];
const PAGES = 10;
const PARAMS = [
  ['1', '1'],
  ['2', '2'],
  ['4', '17'],
  ['density', 'density'],
];
const T0 = 1_700_000_000;

/** Page bodies per device, built once so the server costs little. */
function bodies(location) {
  return Array.from({ length: PAGES }, (_, page) =>
    JSON.stringify({
      locationId: location,
      parameters: PARAMS.map(([parameterId, unitId], k) => ({
        parameterId,
        unitId,
        customParameter: false,
        readings: Array.from({ length: ROWS }, (_, i) => ({
          timestamp: T0 + (page * ROWS + i) * 60,
          value: k * 100 + Math.sin(i / 10),
        })),
      })),
    }),
  );
}

const pagesOf = new Map(DEVICES.map((d) => [d, bodies(d)]));
let requests = 0;
const server = createServer((req, res) => {
  requests++;
  req.resume();
  req.on('end', () => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const json = (body, headers = {}) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (url.pathname === '/public-api/oauth/token') {
      json('{"access_token":"bench-token","token_type":"bearer","expires_in":3600}');
    } else if (url.pathname === '/public-api/v1/sispec/friendlynames') {
      json(
        '{"parameters":{"1":"Temperature","2":"Pressure","4":"Specific Conductivity","density":"Density"},"units":{"1":"C","2":"psi","17":"uS/cm","density":"g/cm3"}}',
      );
    } else {
      const location = Number(/locations\/(\d+)\/data/.exec(url.pathname)?.[1]);
      const page = Number(req.headers['x-isi-start-page'] ?? 0);
      const next = page + 1 < PAGES ? { 'x-isi-next-page': String(page + 1) } : {};
      json(pagesOf.get(location)[page], next);
    }
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const config = `max_points_per_run: 100000000
hydrovu_path: /hydrovu
base_url: ${base}
devices:
${DEVICES.map((id, i) => `  - {name: dev${i}, id: ${id}}`).join('\n')}
`;
const env = { HYDRO_KEY_ID: 'bench-id', HYDRO_KEY_VALUE: 'bench-secret' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

async function fetchOnly() {
  const client = new HydroVuClient(
    base,
    { id: env.HYDRO_KEY_ID, secret: env.HYDRO_KEY_VALUE },
    { timeoutMs: 60_000, maxRetries: 0, backoffMs: 0 },
  );
  const t = process.hrtime.bigint();
  await client.dictionary();
  for (const id of DEVICES) for await (const _ of client.pages(id, 0, 1e12));
  return ms(t);
}

async function collect(dir) {
  const pond = await Pond.create(dir, { env });
  await pond.transaction(async (tx) => {
    await tx.mkdir('/etc', { parents: true });
    await tx.mknod('/etc/hydrovu', 'hydrovu', config);
  });
  const before = requests;
  const t = process.hrtime.bigint();
  await pond.run('/etc/hydrovu', ['collect']);
  const wall = ms(t);
  const table = await pond.sql("SELECT count(*) AS n FROM '/hydrovu/devices/*/*.series'");
  return { wall, requests: requests - before, rows: Number(table.getChildAt(0).get(0)) };
}

const dir = await mkdtemp(join(tmpdir(), 'pond-bench-hydrovu-'));
try {
  const fetches = [];
  const runs = [];
  for (let i = 0; i < 3; i++) {
    fetches.push(await fetchOnly());
    runs.push(await collect(join(dir, `p${i}`)));
  }
  const wall = median(runs.map((r) => r.wall));
  const { rows, requests: n } = runs[0];
  const fetch = median(fetches);
  console.log(
    `hydrovu collect: ${DEVICES.length} devices x ${PAGES} pages x ${ROWS} timestamps x ${PARAMS.length} parameters (medians of 3)`,
  );
  console.log(
    `  collect run    ${wall.toFixed(0)} ms wall, ${n} requests, ${rows} rows, ${Math.round(rows / (wall / 1000))} rows/s`,
  );
  console.log(
    `  fetch only     ${fetch.toFixed(0)} ms (client: token, dictionary, pages parsed; no pond)`,
  );
  console.log(`  collect/fetch  ${(wall / fetch).toFixed(2)}x`);
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}

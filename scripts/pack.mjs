// SPDX-License-Identifier: Apache-2.0
// Packs what gets published: one platform package per built addon (`duckpond-<triple>`,
// holding only `duckpond.<triple>.node`, from the `npm/<triple>/` templates that
// `napi create-npm-dirs` made) and `duckpond` itself, without any `.node` and with every
// napi target as an optional dependency at the same version. The release workflow and the
// local install test run this same script, so what CI installs is what npm would serve.
//
//   node scripts/pack.mjs [--artifacts DIR] [--out DIR]
//
// --artifacts  where the built `duckpond.<triple>.node` files are, searched recursively
//              (default: native/, the local build)
// --out        where the tarballs and pack.json (their list) go (default: pack/)
//
// Needs a TypeScript build (dist/) and native/binding.d.ts; compiles nothing.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    artifacts: { type: 'string', default: join(root, 'native') },
    out: { type: 'string', default: join(root, 'pack') },
  },
});
const out = resolve(values.out);
if (`${root}/`.startsWith(`${out}/`)) throw new Error(`--out ${out}: would delete the checkout`);
const stage = join(out, 'stage');
rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { version } = manifest;

/** The napi suffix of a Rust target, as `napi create-npm-dirs` names the npm/ folders. */
function suffixOf(target) {
  const [arch, , os, abi] = target.split('-');
  const npmArch = { x86_64: 'x64', aarch64: 'arm64' }[arch];
  if (os === 'darwin') return `darwin-${npmArch}`;
  if (os === 'windows') return `win32-${npmArch}-${abi}`;
  return `${os}-${npmArch}-${abi}`;
}

function findAddons(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findAddons(path));
    else if (/^duckpond\..+\.node$/.test(entry.name)) found.push(path);
  }
  return found;
}

function npmPack(dir) {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [info] = JSON.parse(output);
  return { name: info.name, file: info.filename, size: info.size, unpacked: info.unpackedSize };
}

const packed = [];
const platforms = manifest.napi.targets.map(suffixOf);
for (const suffix of platforms) {
  if (!existsSync(join(root, 'npm', suffix, 'package.json'))) {
    throw new Error(`npm/${suffix}/ is missing: run npx napi create-npm-dirs`);
  }
}
for (const addon of findAddons(resolve(values.artifacts))) {
  const suffix = basename(addon).slice('duckpond.'.length, -'.node'.length);
  if (!platforms.includes(suffix)) throw new Error(`${addon}: ${suffix} is not a napi target`);
  const dir = join(stage, `duckpond-${suffix}`);
  mkdirSync(dir);
  const template = join(root, 'npm', suffix);
  const pkg = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  copyFileSync(join(template, 'README.md'), join(dir, 'README.md'));
  copyFileSync(addon, join(dir, basename(addon)));
  packed.push({ ...npmPack(dir), platform: suffix });
}
if (packed.length === 0) throw new Error(`no duckpond.<triple>.node under ${values.artifacts}`);

// duckpond itself: the published files, a manifest without build scripts or dev tools, and
// the platform packages as optional dependencies (npm installs the one matching os/cpu/libc).
const main = join(stage, 'duckpond');
mkdirSync(main);
for (const entry of manifest.files) {
  if (entry.includes('*')) continue;
  const from = join(root, entry);
  if (!existsSync(from)) throw new Error(`${entry}: listed in package.json files but missing`);
  cpSync(from, join(main, entry), { recursive: true });
}
if (!existsSync(join(main, 'dist', 'index.js'))) throw new Error('dist/ is not built');
const { scripts: _scripts, devDependencies: _dev, ...published } = manifest;
published.optionalDependencies = Object.fromEntries(
  platforms.map((suffix) => [`duckpond-${suffix}`, version]),
);
writeFileSync(join(main, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
packed.push({ ...npmPack(main), platform: null });

rmSync(stage, { recursive: true, force: true });
writeFileSync(join(out, 'pack.json'), `${JSON.stringify(packed, null, 2)}\n`);
for (const { file, size, unpacked } of packed) {
  console.log(
    `${file}  ${(size / 1e6).toFixed(1)} MB packed, ${(unpacked / 1e6).toFixed(1)} MB unpacked`,
  );
}

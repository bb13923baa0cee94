// SPDX-License-Identifier: Apache-2.0
// `napi build` hands the crate's build script NAPI_TYPE_DEF_TMP_FOLDER (a folder under
// $CARGO_TARGET_DIR/napi-rs/ where napi-derive writes the types it generates), and the
// build script reruns whenever that variable changes. Plain cargo runs (tests, clippy)
// leave it unset, so each would force the next native build to recompile the crate.
// build-native.mjs records the folder napi used; cargo.mjs sets the same value.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CRATE = 'duckpond-native';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where this checkout's record lives (one per checkout: each has its own folder). */
function recordFile(targetDir) {
  const key = createHash('sha256').update(REPO).digest('hex').slice(0, 16);
  return join(targetDir, 'napi-rs', `${CRATE}.${key}.folder`);
}

/** Record the folder a build that started at `startedMs` wrote its types into, if any. */
export function rememberTypeDefFolder(targetDir, startedMs) {
  const root = join(targetDir, 'napi-rs');
  if (!existsSync(root)) return;
  const written = readdirSync(root)
    .filter((name) => name.startsWith(`${CRATE}-`))
    .map((name) => join(root, name))
    .filter((dir) => {
      const file = join(dir, CRATE);
      return existsSync(file) && statSync(file).mtimeMs >= startedMs;
    });
  // A build that compiled nothing wrote nothing: the recorded folder still holds.
  if (written.length === 1) writeFileSync(recordFile(targetDir), written[0]);
}

/** The folder the last native build of this checkout used, or null. */
export function typeDefFolder(targetDir) {
  const file = recordFile(targetDir);
  if (!existsSync(file)) return null;
  const folder = readFileSync(file, 'utf8').trim();
  return existsSync(folder) ? folder : null;
}

/** The files of `folder` and their bytes. */
export function snapshot(folder) {
  return new Map(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name))]));
}

/** Put `folder` back as `saved` had it. */
export function restore(folder, saved) {
  for (const name of readdirSync(folder)) if (!saved.has(name)) rmSync(join(folder, name));
  for (const [name, bytes] of saved) writeFileSync(join(folder, name), bytes);
}

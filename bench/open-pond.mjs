// SPDX-License-Identifier: Apache-2.0
// Opens a pond and reads its root listing, then exits: what every pond command pays before
// doing its own work. Used by bench/maintain.mjs. Run: node bench/open-pond.mjs POND
import { Pond } from '../dist/index.js';

const pond = await Pond.open(process.argv[2]);
await pond.list('/*');

#!/usr/bin/env node
// The CLI as scripts/bundle-cli.mjs bundled it: a few files load much faster than the
// ~250 modules of dist/cli/main.js and its dependencies.
import('../dist/bundle/main.js').then((cli) => cli.main());

// SPDX-License-Identifier: Apache-2.0
/**
 * Jinja templates rendered by the addon's sandboxed engine (minijinja): no host access, no
 * JavaScript, bounded work. See `native/src/template.rs`.
 */

import { addon, rehydrate } from './addon.js';

/** Render `template` with a JSON-serialisable context; errors are INVALID_CONFIG. */
export function renderTemplate(template: string, context: object): string {
  try {
    return addon().renderTemplate(template, JSON.stringify(context));
  } catch (err) {
    throw rehydrate(err);
  }
}

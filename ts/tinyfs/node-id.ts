// SPDX-License-Identifier: Apache-2.0
/**
 * Node ids: UUIDv7 (48-bit ms timestamp, random rest) with byte 6 set to
 * `0x70 | entry-type code`, so an id alone tells the node's type.
 */

import { createHash, randomBytes } from 'node:crypto';
import { type EntryType, entryTypeFromCode, entryTypeInfo } from './entry-type.js';
import type { NodeRef } from './persistence.js';

/** Source of time and randomness for ids; injected where output must be stable. */
export interface IdSource {
  now(): number;
  random(n: number): Uint8Array;
}

export const systemIdSource: IdSource = {
  now: () => Date.now(),
  random: (n) => randomBytes(n),
};

function format(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUIDv7 with the RFC 4122 variant, version nibble 7 and `code` in byte 6's low nibble. */
export function uuid7(code = 0, source: IdSource = systemIdSource): string {
  const bytes = new Uint8Array(16);
  bytes.set(source.random(16));
  let ms = source.now();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (code & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  return format(bytes);
}

/** The ref of the computed child `key` of `parent` (a factory node's entry): its id derives
 * from the parent's id and the key, so every read gives the child the same id; it lives in
 * the parent's partition. */
export function childRef(
  parent: { readonly id: string },
  entryType: EntryType,
  key: string,
): NodeRef {
  return { id: derivedNodeId(entryType, `${parent.id}/${key}`), partId: parent.id, entryType };
}

export function newNodeId(type: EntryType, source: IdSource = systemIdSource): string {
  return uuid7(entryTypeInfo(type).code, source);
}

/** The entry type encoded in an id's byte 6, if any. */
export function entryTypeOfId(id: string): EntryType | undefined {
  const hex = id.replace(/-/g, '');
  if (hex.length !== 32) return undefined;
  const byte6 = Number.parseInt(hex.slice(12, 14), 16);
  return (byte6 & 0xf0) === 0x70 ? entryTypeFromCode(byte6 & 0x0f) : undefined;
}

/** The short form shown by `list`: the last 8 hex digits. */
export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(-8);
}

/** A stable id for a node that is computed, not stored (host files, factory children):
 * the same `key` always gives the same id. */
export function derivedNodeId(type: EntryType, key: string): string {
  const bytes = new Uint8Array(createHash('sha256').update(key).digest().subarray(0, 16));
  bytes[6] = 0x70 | (entryTypeInfo(type).code & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  return format(bytes);
}

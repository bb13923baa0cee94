// SPDX-License-Identifier: Apache-2.0
/**
 * The JSON the HydroVu API answers with, checked as strictly as the original's models:
 * unknown fields are ignored; `locationId` (integer), `parameters[].parameterId` and
 * `unitId` (strings), `customParameter` (boolean) and `readings[].timestamp` (integer Unix
 * seconds) are required. A reading's `value` is a number or `null` (a missing reading,
 * kept as NULL; the original failed the whole page on it). Anything else is INVALID_DATA
 * naming the call and the field.
 */

import { ErrorCode, PondError } from '../../errors.js';

/** Friendly names by id (ids are strings, not always numeric). */
export interface Dictionary {
  readonly parameters: ReadonlyMap<string, string>;
  readonly units: ReadonlyMap<string, string>;
}

export interface Reading {
  /** Unix seconds. */
  readonly timestamp: number;
  readonly value: number | null;
}

export interface ParameterReadings {
  readonly parameterId: string;
  readonly unitId: string;
  readonly readings: readonly Reading[];
}

export interface LocationPage {
  readonly locationId: number;
  readonly parameters: readonly ParameterReadings[];
  /** Readings on the page, over all parameters (what `max_points_per_run` counts). */
  readonly points: number;
}

function invalid(what: string, why: string): PondError {
  return new PondError(ErrorCode.INVALID_DATA, `${what}: malformed answer: ${why}`);
}

function json(body: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalid(what, `not JSON (${reason})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function names(v: unknown, field: string, what: string): Map<string, string> {
  if (!isObject(v)) throw invalid(what, `${field} is not an object of names`);
  const out = new Map<string, string>();
  for (const [id, name] of Object.entries(v)) {
    if (typeof name !== 'string') throw invalid(what, `${field}.${id} is not a string`);
    out.set(id, name);
  }
  return out;
}

export function parseDictionary(body: string, what: string): Dictionary {
  const v = json(body, what);
  if (!isObject(v)) throw invalid(what, 'not an object');
  return {
    parameters: names(v.parameters, 'parameters', what),
    units: names(v.units, 'units', what),
  };
}

function integer(v: unknown, field: string, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw invalid(what, `${field} is not an integer`);
  }
  return v;
}

function string(v: unknown, field: string, what: string): string {
  if (typeof v !== 'string') throw invalid(what, `${field} is not a string`);
  return v;
}

function reading(v: unknown, field: string, what: string): Reading {
  if (!isObject(v)) throw invalid(what, `${field} is not an object`);
  const value = v.value;
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
    throw invalid(what, `${field}.value is not a number or null`);
  }
  return { timestamp: integer(v.timestamp, `${field}.timestamp`, what), value };
}

function parameter(v: unknown, field: string, what: string): ParameterReadings {
  if (!isObject(v)) throw invalid(what, `${field} is not an object`);
  if (typeof v.customParameter !== 'boolean') {
    throw invalid(what, `${field}.customParameter is not true or false`);
  }
  if (!Array.isArray(v.readings)) throw invalid(what, `${field}.readings is not a list`);
  const readings = v.readings.map((r, i) => reading(r, `${field}.readings[${i}]`, what));
  return {
    parameterId: string(v.parameterId, `${field}.parameterId`, what),
    unitId: string(v.unitId, `${field}.unitId`, what),
    readings,
  };
}

export function parsePage(body: string, what: string): LocationPage {
  const v = json(body, what);
  if (!isObject(v)) throw invalid(what, 'not an object');
  const locationId = integer(v.locationId, 'locationId', what);
  if (!Array.isArray(v.parameters)) throw invalid(what, 'parameters is not a list');
  const parameters = v.parameters.map((p, i) => parameter(p, `parameters[${i}]`, what));
  const points = parameters.reduce((n, p) => n + p.readings.length, 0);
  return { locationId, parameters, points };
}

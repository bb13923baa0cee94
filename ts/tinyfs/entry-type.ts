// SPDX-License-Identifier: Apache-2.0
/**
 * The nine entry types. The stored strings and codes are persisted (oplog `file_type`,
 * byte 6 of node ids, directory snapshots): they are a contract, not identifiers.
 */

export const EntryType = {
  DirectoryPhysical: 'dir:physical',
  DirectoryDynamic: 'dir:dynamic',
  Symlink: 'symlink',
  FilePhysicalVersion: 'file:physical:version',
  FileDynamic: 'file:dynamic',
  TablePhysicalVersion: 'table:physical:version',
  FilePhysicalSeries: 'file:physical:series',
  TablePhysicalSeries: 'table:physical:series',
  TableDynamic: 'table:dynamic',
} as const;

export type EntryType = (typeof EntryType)[keyof typeof EntryType];
export type EntryTypeName = keyof typeof EntryType;

interface EntryTypeInfo {
  readonly name: EntryTypeName;
  readonly code: number;
  /** `list` marker. */
  readonly marker: string;
  /** `list -l` type name. */
  readonly longName: string;
}

const INFO: Record<EntryType, EntryTypeInfo> = {
  'dir:physical': { name: 'DirectoryPhysical', code: 1, marker: '[DIR]', longName: 'directory' },
  'dir:dynamic': {
    name: 'DirectoryDynamic',
    code: 2,
    marker: '[DIR]',
    longName: 'dynamic-directory',
  },
  symlink: { name: 'Symlink', code: 3, marker: '[LINK]', longName: 'symlink' },
  'file:physical:version': {
    name: 'FilePhysicalVersion',
    code: 4,
    marker: '[FILE]',
    longName: 'data',
  },
  'file:dynamic': { name: 'FileDynamic', code: 5, marker: '[FILE]', longName: 'data:dynamic' },
  'table:physical:version': {
    name: 'TablePhysicalVersion',
    code: 6,
    marker: '[TBL]',
    longName: 'table',
  },
  'file:physical:series': {
    name: 'FilePhysicalSeries',
    code: 7,
    marker: '[FILE]',
    longName: 'data:series',
  },
  'table:physical:series': {
    name: 'TablePhysicalSeries',
    code: 8,
    marker: '[SER]',
    longName: 'table:series',
  },
  'table:dynamic': { name: 'TableDynamic', code: 9, marker: '[TBL]', longName: 'table:dynamic' },
};

const BY_CODE = new Map<number, EntryType>(
  (Object.keys(INFO) as EntryType[]).map((t) => [INFO[t].code, t]),
);

export function entryTypeInfo(type: EntryType): EntryTypeInfo {
  return INFO[type];
}

export function isEntryType(value: string): value is EntryType {
  return Object.hasOwn(INFO, value);
}

export function entryTypeFromCode(code: number): EntryType | undefined {
  return BY_CODE.get(code);
}

export function isDirectoryType(type: EntryType): boolean {
  return type === EntryType.DirectoryPhysical || type === EntryType.DirectoryDynamic;
}

export function isSymlinkType(type: EntryType): boolean {
  return type === EntryType.Symlink;
}

export function isFileType(type: EntryType): boolean {
  return !isDirectoryType(type) && !isSymlinkType(type);
}

/** Entry types whose versions are concatenated (raw) or unioned (tables) on read. */
export function isSeriesType(type: EntryType): boolean {
  return type === EntryType.FilePhysicalSeries || type === EntryType.TablePhysicalSeries;
}

/** Entry types whose content is Parquet, queryable with SQL. */
export function isTableType(type: EntryType): boolean {
  return (
    type === EntryType.TablePhysicalVersion ||
    type === EntryType.TablePhysicalSeries ||
    type === EntryType.TableDynamic
  );
}

export function isDynamicType(type: EntryType): boolean {
  return (
    type === EntryType.DirectoryDynamic ||
    type === EntryType.FileDynamic ||
    type === EntryType.TableDynamic
  );
}

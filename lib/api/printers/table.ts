// Builds the meta.k8s.io/v1 Table for a list, a single get, or one watch
// event. `includeObject` follows the api-server's query parameter:
// "Metadata" (the default, what kubectl gets) puts a PartialObjectMetadata in
// each row, which kubectl needs for the NAMESPACE column of `-A`; "Object"
// embeds the full object; "None" leaves rows without an object.

import type { KubeObject, ListMeta, ObjectMeta } from '../types/meta.js';
import type { Printer, Table, TableRow } from './types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** What toTable needs from a resource table entry. */
export interface TableSource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly printer: Printer<never>;
}

export interface TableOptions {
  /** The current time in ms since the epoch (the injected clock's now). */
  now: number;
  includeObject?: IncludeObject;
  /** List metadata to carry over (resourceVersion, continue). */
  listMeta?: ListMeta;
  /** Omit the column definitions (null), as for watch events after the first. */
  noHeaders?: boolean;
}

function partialMetadata(meta: ObjectMeta): { kind: 'PartialObjectMetadata'; apiVersion: 'meta.k8s.io/v1'; metadata: ObjectMeta } {
  // Kubernetes drops managedFields from table rows: they are large and nobody reads them there.
  const { managedFields: _dropped, ...rest } = meta;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: rest };
}

export function toTable(resource: TableSource, objects: readonly KubeObject[], opts: TableOptions): Table {
  return tableOf(resource, objects.map((obj) => tableRow(resource, obj, opts)), opts);
}

/**
 * The Table for `objects` read one at a time: each row is built (and its
 * object decoded) only when the Table is serialized, so a list of 150,000
 * rows never holds 150,000 decoded objects at once. Serializes (JSON, YAML)
 * exactly as toTable over the same objects.
 */
export function toLazyTable(resource: TableSource, objects: readonly { toJSON(): KubeObject }[], opts: TableOptions): Table {
  const rows = objects.map((o) => ({ toJSON: (): TableRow => tableRow(resource, o.toJSON(), opts) }));
  // Rows in all but type: JSON.stringify and YAML's stringify call toJSON; nothing else reads them.
  return tableOf(resource, rows as unknown as TableRow[], opts);
}

function tableOf(resource: TableSource, rows: TableRow[], opts: TableOptions): Table {
  const printer = resource.printer as unknown as Printer<KubeObject>;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...(opts.listMeta ?? {}) },
    columnDefinitions: opts.noHeaders ? null : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}

function tableRow(resource: TableSource, obj: KubeObject, opts: TableOptions): TableRow {
  // A printer is written for its own kind; the table entry guarantees objects are of that kind.
  const printer = resource.printer as unknown as Printer<KubeObject>;
  const include = opts.includeObject ?? 'Metadata';
  const row: TableRow = { cells: printer.cells(obj, opts.now) };
  const conditions = printer.conditions?.(obj);
  if (conditions) row.conditions = conditions;
  if (include === 'Metadata') row.object = partialMetadata(obj.metadata ?? {});
  else if (include === 'Object') row.object = { ...obj, apiVersion: obj.apiVersion ?? resource.apiVersion, kind: obj.kind ?? resource.kind };
  return row;
}

// meta.k8s.io/v1 Table: what the api-server answers when kubectl asks for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (every human-readable
// `kubectl get`). kubectl 1.32 has no client-side columns for built-in kinds,
// so these shapes are the whole of `kubectl get` output.

import type { ListMeta } from '../types/meta.js';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type of the cells: "string", "integer", "boolean", "number". */
  type: string;
  /** "name" marks the column holding the object's name; otherwise "". */
  format: string;
  description: string;
  /** 0 = always shown; 1 = shown with `-o wide` only. */
  priority: number;
}

export type TableCell = string | number | boolean | null;

export interface TableRowCondition {
  /** The only row condition Kubernetes defines: the object has finished (a Succeeded or Failed pod). */
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata, the full object, or absent, per includeObject. */
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  /** null when the caller asked for no headers (later events of a watch). */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/**
 * One kind's printer: its columns and a function from an object to the
 * cells of its row. Rows are always generated "wide" (every column), as the
 * api-server does; kubectl hides priority-1 columns unless `-o wide`.
 */
export interface Printer<T> {
  readonly columns: readonly TableColumnDefinition[];
  cells(obj: T, now: number): TableCell[];
  conditions?(obj: T): TableRowCondition[] | undefined;
}

/** A column definition; `wide` sets priority 1. */
export function col(name: string, type: string, description: string, opts: { wide?: boolean; format?: string } = {}): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

/** Descriptions shared by every kind (Kubernetes takes them from ObjectMeta's field docs). */
export const NAME_COLUMN = col('Name', 'string', 'Name must be unique within a namespace. It is the object\'s identifier in URLs and cannot be updated.', { format: 'name' });
export const AGE_COLUMN = col('Age', 'string', 'Time since the object was created (from metadata.creationTimestamp).');

/** Go's labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** layoutContainerCells: container names and images, comma-separated. */
export function containerCells(containers: readonly { name: string; image?: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

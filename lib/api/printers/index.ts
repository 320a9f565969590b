// Server-side printing: `toTable` plus one printer per kind.
export { humanDuration, parseTime, since } from './duration.js';
export { col, formatLabels, containerCells, NAME_COLUMN, AGE_COLUMN } from './types.js';
export type { Table, TableRow, TableCell, TableColumnDefinition, TableRowCondition, Printer } from './types.js';
export { toLazyTable, toTable } from './table.js';
export type { IncludeObject, TableOptions, TableSource } from './table.js';
export { podPrinter, summarizePod } from './pod.js';
export { deploymentPrinter, replicaSetPrinter, daemonSetPrinter, jobPrinter, jobStatus } from './workloads.js';
export {
  nodePrinter,
  nodeRoles,
  nodeStatus,
  servicePrinter,
  endpointsPrinter,
  formatEndpoints,
  eventPrinter,
  namespacePrinter,
  configMapPrinter,
  secretPrinter,
  leasePrinter,
  priorityClassPrinter,
} from './core.js';

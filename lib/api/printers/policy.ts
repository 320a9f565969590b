// The PodDisruptionBudget row, as `kubectl get pdb` shows it: the budget
// that is set (the other column reads N/A) and the disruptions the
// controller last computed.

import type { PodDisruptionBudget } from '../types/policy.js';
import { since } from './duration.js';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './types.js';

const orNA = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));

export const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = {
  columns: [
    NAME_COLUMN,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  cells: (pdb, now) => [pdb.metadata.name ?? '', orNA(pdb.spec?.minAvailable), orNA(pdb.spec?.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0, since(pdb.metadata.creationTimestamp, now)],
};

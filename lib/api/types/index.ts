// One import point for the wire types: `import type { Pod } from '../api/types/index.js'`.
export type * from './meta.js';
export type * from './pod.js';
export type * from './core.js';
export type * from './apps.js';
export type * from './cluster.js';
export type * from './policy.js';

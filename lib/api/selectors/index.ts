export { Selector, newRequirement, requirementString } from './requirement.js';
export type { Labels, Operator, Requirement, RequirementResult } from './requirement.js';
export { parseSelector, mustParseSelector } from './parse.js';
export type { SelectorResult } from './parse.js';
export { selectorFromLabelSelector, selectorFromSet, formatLabelSelector } from './label-selector.js';
export type { SelectorFromObjectResult } from './label-selector.js';
export { FieldSelector, parseFieldSelector, parseFieldSelectorFor, validateFieldSelector, escapeFieldValue } from './fields.js';
export type { FieldRequirement, Fields, FieldSelectorResult } from './fields.js';

// OpenAPI v3: the /openapi/v3 index and per group-version documents, generated from the type descriptions.
export { openApiIndex, openApiDocument, openApiDocumentJson, openApiPath } from './documents.js';
export type { OpenAPIDocument } from './documents.js';
export { COMPONENTS, componentForKind, closure, gvksOf, refTarget } from './registry.js';
export type { GVK } from './registry.js';
export type { Schema, TypeDef, Field } from './dsl.js';

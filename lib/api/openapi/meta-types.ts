// meta.k8s.io/v1 and shared scalar types: ObjectMeta and ListMeta, owner
// references, managed fields, label selectors, times, quantities and
// int-or-string. Descriptions are Berth's own short summaries.

import { INT_OR_STRING, NS, QUANTITY, anyObject, bool, int64, listOf, ref, req, scalar, str, strList, strMap, type, type TypeDef } from './dsl.js';

const M = NS.meta;

export const META_TYPES: readonly TypeDef[] = [
  scalar(`${M}Time`, 'A point in time, RFC 3339 with second precision, e.g. "2024-01-02T03:04:05Z".', { type: 'string', format: 'date-time' }),
  scalar(`${M}MicroTime`, 'A point in time, RFC 3339 with microsecond precision.', { type: 'string', format: 'date-time' }),
  scalar(QUANTITY, 'A resource amount: a number with an optional SI suffix (m, k, M, G, ...), binary suffix (Ki, Mi, Gi, ...) or exponent, e.g. "250m" or "1Gi".', {
    oneOf: [{ type: 'string' }, { type: 'number' }],
  }),
  scalar(INT_OR_STRING, 'Either an integer (a port, a count) or a string (a port name, a percentage such as "25%").', {
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  }),
  type(`${M}ObjectMeta`, 'Metadata every stored object has: identity, labels, annotations, ownership and bookkeeping.', {
    annotations: strMap('Arbitrary key/value data for tools; not used for selection.'),
    creationTimestamp: ref(`${M}Time`, 'When the server created the object. Read-only.', { nullable: true }),
    deletionGracePeriodSeconds: int64('Seconds the object has to shut down once deletion started. Read-only.'),
    deletionTimestamp: ref(`${M}Time`, 'When the object will be removed; set when a graceful deletion starts. Read-only.', { nullable: true }),
    finalizers: strList('Components that must finish cleanup before the object is deleted; deletion waits until the list is empty.'),
    generateName: str('A prefix the server completes into a unique name when name is empty.'),
    generation: int64('Counts changes to the desired state (the spec). Read-only.'),
    labels: strMap('Key/value pairs used to organize objects and select them (label selectors).'),
    managedFields: listOf(ref(`${M}ManagedFieldsEntry`), 'Which manager set which fields (server-side apply bookkeeping).'),
    name: str('The object\'s name, unique per kind within its namespace. Fixed once created.'),
    namespace: str('The namespace the object lives in; empty for cluster-scoped kinds. Fixed once created.'),
    ownerReferences: listOf(ref(`${M}OwnerReference`), 'Objects this one belongs to; when all are gone it is garbage-collected.'),
    resourceVersion: str('Opaque version of the object, changed on every write; used for optimistic concurrency and watches. Read-only.'),
    selfLink: str('Deprecated and always empty.'),
    uid: str('Unique identifier assigned by the server at creation. Read-only.'),
  }),
  type(`${M}ListMeta`, 'Metadata of a list response.', {
    continue: str('Token for the next page of results; empty on the last page.'),
    remainingItemCount: int64('How many items follow this page, when known.'),
    resourceVersion: str('The version of the data the list was read at; watch from here to see later changes.'),
    selfLink: str('Deprecated and always empty.'),
  }),
  type(`${M}OwnerReference`, 'A reference to an owning object in the same namespace (or a cluster-scoped one).', {
    apiVersion: req(str('The owner\'s apiVersion.')),
    blockOwnerDeletion: bool('With foreground deletion, the owner is not removed before this object.'),
    controller: bool('This owner is the managing controller (at most one per object).'),
    kind: req(str('The owner\'s kind.')),
    name: req(str('The owner\'s name.')),
    uid: req(str('The owner\'s uid.')),
  }),
  type(`${M}ManagedFieldsEntry`, 'One manager\'s set of owned fields.', {
    apiVersion: str('The API version the field set is expressed in.'),
    fieldsType: str('Format of fieldsV1; always "FieldsV1".'),
    fieldsV1: anyObject('The owned fields.'),
    manager: str('Who manages these fields, e.g. "kubectl".'),
    operation: str('Apply or Update.'),
    subresource: str('The subresource written through, empty for the object itself.'),
    time: ref(`${M}Time`, 'When the entry last changed.', { nullable: true }),
  }),
  type(`${M}LabelSelector`, 'Selects objects by labels: matchLabels and matchExpressions must all hold. An empty selector selects everything; a missing one selects nothing.', {
    matchExpressions: listOf(ref(`${M}LabelSelectorRequirement`), 'Requirements on labels, all of which must hold.'),
    matchLabels: strMap('Labels that must be present with exactly these values.'),
  }, { 'x-kubernetes-map-type': 'atomic' }),
  type(`${M}LabelSelectorRequirement`, 'One requirement on a label: a key, an operator and values.', {
    key: req(str('The label key.')),
    operator: req(str('In, NotIn, Exists or DoesNotExist.')),
    values: strList('Values for In and NotIn (non-empty); empty for Exists and DoesNotExist.'),
  }),
  type(`${M}Patch`, 'The body of a PATCH request; its format is given by the Content-Type.', {}),
];

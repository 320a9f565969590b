// core/v1 entries of the resource table. Short names and categories are
// Kubernetes' own (po, svc, ns, no, ev, cm, ep; "all" for pods and
// services), so `kubectl get po` and `kubectl get all` resolve the same way.

import type { ConfigMap, Endpoints, Event, Namespace, Node, Secret, Service } from '../types/core.js';
import type { Pod } from '../types/pod.js';
import { defaultEndpoints, defaultNamespace, defaultNode, defaultSecret, defaultService } from '../defaults/core.js';
import { defaultPod, defaultPodInPlace } from '../defaults/pod.js';
import { patchSchemas } from '../patch/metadata.js';
import {
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  servicePrinter,
} from '../printers/core.js';
import { podPrinter } from '../printers/pod.js';
import { validatePod, validatePodUpdate } from '../validation/pod.js';
import { validateService, validateServiceUpdate } from '../validation/service.js';
import { POD_SUBRESOURCES, defineResource, statusSubresource } from './define.js';
import {
  EVENT_FIELDS,
  NAMESPACE_FIELDS,
  NODE_FIELDS,
  POD_FIELDS,
  SECRET_FIELDS,
  SERVICE_FIELDS,
  eventFields,
  namespaceFields,
  nodeFields,
  podFields,
  secretFields,
  serviceFields,
} from './fields.js';
import type { ResourceDef } from './types.js';
import { metadataValidator, validateConfigMap, validateDataUpdate, validateEvent, validateNamespace, validateSecret } from './validators.js';

const schema = (kind: string) => patchSchemas[kind]!;

export const namespaces: ResourceDef<Namespace> = defineResource<Namespace>({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  shortNames: ['ns'],
  // Namespaces are deleted one by one (their deletion is a drawn-out process), so no deletecollection.
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  // finalize: the namespace controller's write of spec.finalizers once the namespace is empty.
  subresources: [{ name: 'finalize', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] }, statusSubresource('', 'v1', 'Namespace')],
  fieldSelectors: NAMESPACE_FIELDS,
  toFields: namespaceFields,
  patchSchema: schema('Namespace'),
  printer: namespacePrinter,
  validate: validateNamespace,
  defaults: defaultNamespace,
});

export const nodes: ResourceDef<Node> = defineResource<Node>({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  namespaced: false,
  shortNames: ['no'],
  subresources: [statusSubresource('', 'v1', 'Node')],
  fieldSelectors: NODE_FIELDS,
  toFields: nodeFields,
  patchSchema: schema('Node'),
  printer: nodePrinter,
  validate: metadataValidator(false),
  defaults: defaultNode,
});

export const pods: ResourceDef<Pod> = defineResource<Pod>({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: POD_SUBRESOURCES,
  fieldSelectors: POD_FIELDS,
  toFields: podFields,
  patchSchema: schema('Pod'),
  printer: podPrinter,
  validate: validatePod,
  validateUpdate: validatePodUpdate,
  defaults: defaultPod,
  defaultsInPlace: defaultPodInPlace,
});

export const services: ResourceDef<Service> = defineResource<Service>({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: [statusSubresource('', 'v1', 'Service')],
  fieldSelectors: SERVICE_FIELDS,
  toFields: serviceFields,
  patchSchema: schema('Service'),
  printer: servicePrinter,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  defaults: defaultService,
});

export const endpoints: ResourceDef<Endpoints> = defineResource<Endpoints>({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  patchSchema: schema('Endpoints'),
  printer: endpointsPrinter,
  validate: metadataValidator(true),
  defaults: defaultEndpoints,
});

export const events: ResourceDef<Event> = defineResource<Event>({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  shortNames: ['ev'],
  fieldSelectors: EVENT_FIELDS,
  toFields: eventFields,
  patchSchema: schema('Event'),
  printer: eventPrinter,
  validate: validateEvent,
});

export const configMaps: ResourceDef<ConfigMap> = defineResource<ConfigMap>({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
  shortNames: ['cm'],
  patchSchema: schema('ConfigMap'),
  printer: configMapPrinter,
  validate: validateConfigMap,
  validateUpdate: validateDataUpdate(validateConfigMap),
});

export const secrets: ResourceDef<Secret> = defineResource<Secret>({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  fieldSelectors: SECRET_FIELDS,
  toFields: secretFields,
  patchSchema: schema('Secret'),
  printer: secretPrinter,
  validate: validateSecret,
  validateUpdate: validateDataUpdate(validateSecret),
  defaults: defaultSecret,
});

export const CORE_RESOURCES: readonly ResourceDef[] = [namespaces, nodes, pods, services, endpoints, events, configMaps, secrets];

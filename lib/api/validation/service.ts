// Service validation (k8s.io/kubernetes/pkg/apis/core/validation
// ValidateService): DNS-1035 names, ports (names, numbers, protocols,
// target ports, duplicates), type and selector. Not covered: cluster IP
// allocation rules, node port ranges (need cluster config), IP families.

import type { Service } from '../types/core.js';
import { FieldPath, fieldErrors, type ErrorList } from './field.js';
import { SUPPORTED_PORT_PROTOCOLS } from './container.js';
import { validateImmutableField, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Label, isValidPortName, isValidPortNum, nameIsDNS1035Label } from './names.js';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;

export function validateService(svc: Service): ErrorList {
  const errs = validateObjectMeta(svc.metadata ?? {}, { namespaced: true, nameFn: nameIsDNS1035Label }, FieldPath.root('metadata'));
  const specPath = FieldPath.root('spec');
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const ports = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(fieldErrors.required(specPath.child('ports')));

  const names = new Set<string>();
  const requireName = ports.length > 1;
  const seenPortProto = new Set<string>();
  ports.forEach((sp, i) => {
    const p = specPath.child('ports').index(i);
    if (requireName && !sp.name) errs.push(fieldErrors.required(p.child('name')));
    else if (sp.name) {
      for (const msg of isDNS1123Label(sp.name)) errs.push(fieldErrors.invalid(p.child('name'), sp.name, msg));
      if (names.has(sp.name)) errs.push(fieldErrors.duplicate(p.child('name'), sp.name));
      else names.add(sp.name);
    }
    for (const msg of isValidPortNum(sp.port)) errs.push(fieldErrors.invalid(p.child('port'), sp.port, msg));
    if (sp.protocol !== undefined && !(SUPPORTED_PORT_PROTOCOLS as readonly string[]).includes(sp.protocol)) {
      if ((sp.protocol as string) === '') errs.push(fieldErrors.required(p.child('protocol')));
      else errs.push(fieldErrors.notSupported(p.child('protocol'), sp.protocol, SUPPORTED_PORT_PROTOCOLS));
    }
    if (sp.targetPort !== undefined) {
      const msgs = typeof sp.targetPort === 'number' ? isValidPortNum(sp.targetPort) : isValidPortName(sp.targetPort);
      for (const msg of msgs) errs.push(fieldErrors.invalid(p.child('targetPort'), sp.targetPort, msg));
    }
    if (sp.nodePort !== undefined && sp.nodePort !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') errs.push(fieldErrors.forbidden(p.child('nodePort'), 'may not be used when `type` is \'' + type + "'"));
      else for (const msg of isValidPortNum(sp.nodePort)) errs.push(fieldErrors.invalid(p.child('nodePort'), sp.nodePort, msg));
    }
    // Kubernetes prints the duplicate as a Go struct; Berth prints {port, protocol}.
    const key = `${sp.port}/${sp.protocol ?? 'TCP'}`;
    if (seenPortProto.has(key)) errs.push(fieldErrors.duplicate(p, { port: sp.port, protocol: sp.protocol ?? 'TCP' }));
    else seenPortProto.add(key);
  });
  if (!(SERVICE_TYPES as readonly string[]).includes(type)) errs.push(fieldErrors.notSupported(specPath.child('type'), type, SERVICE_TYPES));
  if (type === 'ExternalName' && !spec.externalName) errs.push(fieldErrors.required(specPath.child('externalName')));
  errs.push(...validateLabels(spec.selector, specPath.child('selector')));
  return errs;
}

/** On update a set clusterIP may not change (besides everything validateService checks). */
export function validateServiceUpdate(next: Service, old: Service): ErrorList {
  const errs = validateObjectMetaUpdate(next.metadata ?? {}, old.metadata ?? {}, FieldPath.root('metadata'));
  errs.push(...validateService(next).filter((e) => !e.field.startsWith('metadata.')));
  if (old.spec?.clusterIP && old.spec.clusterIP !== 'None' && next.spec?.type !== 'ExternalName') {
    errs.push(...validateImmutableField(next.spec?.clusterIP, old.spec.clusterIP, FieldPath.root('spec', 'clusterIP')));
  }
  return errs;
}

/** Object validators: Pod, Service, workloads, metadata and immutability, checked through the Status a user would see. */
import test from 'ava';
import type { Deployment, Pod, Service } from '../../lib/api/types/index.js';
import { invalid } from '../../lib/api/status.js';
import { errorString, FieldPath, type ErrorList } from '../../lib/api/validation/field.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../../lib/api/validation/meta.js';
import { nameIsDNSSubdomain } from '../../lib/api/validation/names.js';
import { validatePod, validatePodUpdate } from '../../lib/api/validation/pod.js';
import { validateService } from '../../lib/api/validation/service.js';
import { validateDaemonSet, validateDeployment, validateReplicaSet, validateWorkloadUpdate } from '../../lib/api/validation/workloads.js';

const strings = (errs: ErrorList): string[] => errs.map(errorString);

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, name = 'x'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
}

test('a well-formed pod is valid', (t) => {
  t.deepEqual(strings(validatePod(pod())), []);
});

test('the message kubectl shows for a container without a name', (t) => {
  const s = invalid({ group: '', kind: 'Pod' }, 'x', validatePod(pod({ containers: [{ name: '', image: 'nginx' }] })));
  t.is(s.message, 'Pod "x" is invalid: spec.containers[0].name: Required value');
});

test('container names are unique across containers and init containers', (t) => {
  const errs = strings(
    validatePod(
      pod({
        containers: [{ name: 'a', image: 'i' }, { name: 'a', image: 'i' }],
        initContainers: [{ name: 'a', image: 'i' }],
      }),
    ),
  );
  t.deepEqual(errs, ['spec.containers[1].name: Duplicate value: "a"', 'spec.initContainers[0].name: Duplicate value: "a"']);
});

test('image is required; ports must be in range; protocols known', (t) => {
  const errs = strings(
    validatePod(
      pod({
        containers: [
          {
            name: 'c',
            ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'XTP' as never }, { containerPort: 81, hostPort: 0, name: 'http' }, { containerPort: 82, name: 'http' }],
          },
        ],
      }),
    ),
  );
  t.deepEqual(errs, [
    'spec.containers[0].image: Required value',
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].protocol: Unsupported value: "XTP": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[0].ports[3].name: Duplicate value: "http"',
  ]);
});

test('resource quantities must parse, be non-negative, and requests may not exceed limits', (t) => {
  const errs = strings(
    validatePod(
      pod({
        containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '500m', memory: 'lots' }, requests: { cpu: '1', memory: '-1Gi' } } }],
      }),
    ),
  );
  t.deepEqual(errs, [
    `spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    'spec.containers[0].resources.requests[cpu]: Invalid value: "1": must be less than or equal to cpu limit of 500m',
  ]);
});

test('restartPolicy values, volume mounts, tolerations', (t) => {
  const errs = strings(
    validatePod(
      pod({
        restartPolicy: 'Sometimes' as never,
        containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'nope', mountPath: '/a' }] }],
        tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', tolerationSeconds: 5, effect: 'NoSchedule' }],
      }),
    ),
  );
  t.deepEqual(errs, [
    'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    'spec.tolerations[1].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is \'Exists\'',
    "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
  ]);
});

test('metadata: name required, namespace required for namespaced kinds, labels checked', (t) => {
  const errs = strings(
    validateObjectMeta({ labels: { 'bad key!': 'v' } }, { namespaced: true, nameFn: nameIsDNSSubdomain }, FieldPath.root('metadata')),
  );
  t.is(errs[0], 'metadata.name: Required value: name or generateName is required');
  t.is(errs[1], 'metadata.namespace: Required value');
  t.true(errs[2]!.startsWith('metadata.labels: Invalid value: "bad key!": name part must consist of'));
  t.deepEqual(strings(validateObjectMeta({ name: 'n', namespace: 'x' }, { namespaced: false, nameFn: nameIsDNSSubdomain }, FieldPath.root('metadata'))), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
});

test('immutable fields and metadata updates', (t) => {
  t.deepEqual(strings(validateImmutableField('a', 'a', FieldPath.root('spec', 'x'))), []);
  t.deepEqual(strings(validateImmutableField('b', 'a', FieldPath.root('spec', 'x'))), ['spec.x: Invalid value: "b": field is immutable']);
  const errs = strings(validateObjectMetaUpdate({ name: 'b', namespace: 'n', resourceVersion: '' }, { name: 'a', namespace: 'n', resourceVersion: '3' }, FieldPath.root('metadata')));
  t.deepEqual(errs, ['metadata.resourceVersion: Invalid value: "": must be specified for an update', 'metadata.name: Invalid value: "b": field is immutable']);
});

test('pod update may change images but not the rest of the spec', (t) => {
  const old = pod();
  old.metadata.resourceVersion = '1';
  const newImage = pod({ containers: [{ name: 'c', image: 'nginx:2' }] });
  newImage.metadata.resourceVersion = '1';
  t.deepEqual(strings(validatePodUpdate(newImage, old)), []);
  const moved = pod({ nodeName: 'node-1' });
  moved.metadata.resourceVersion = '1';
  const errs = strings(validatePodUpdate(moved, old));
  t.is(errs.length, 1);
  t.true(errs[0]!.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`'));
  const tolerated = pod({ tolerations: [{ key: 'k', operator: 'Exists' }] });
  tolerated.metadata.resourceVersion = '1';
  t.deepEqual(strings(validatePodUpdate(tolerated, old)), [], 'adding a toleration is allowed');
});

test('services: ports named when several, in range, unique', (t) => {
  const svc: Service = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'Bogus' as never, ports: [{ port: 80 }, { name: 'b', port: 0 }, { name: 'b', port: 443, targetPort: 'no--pe' }] },
  };
  t.deepEqual(strings(validateService(svc)), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[2].name: Duplicate value: "b"',
    'spec.ports[2].targetPort: Invalid value: "no--pe": must not contain consecutive hyphens',
    'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  t.deepEqual(strings(validateService({ metadata: { name: '1web', namespace: 'd' }, spec: { ports: [{ port: 80 }] } })).length, 1);
});

function deployment(selector: Deployment['spec'] extends infer S ? (S extends { selector: infer L } ? L : never) : never, labels: Record<string, string>): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };
}

test('deployment selector must match the template labels', (t) => {
  t.deepEqual(strings(validateDeployment(deployment({ matchLabels: { app: 'web' } }, { app: 'web', tier: 'x' }))), []);
  t.deepEqual(strings(validateDeployment(deployment({ matchLabels: { app: 'web' } }, { app: 'api' }))), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`',
  ]);
  t.deepEqual(strings(validateDeployment(deployment({}, { app: 'web' }))), [
    'spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment',
  ]);
  const d = deployment({ matchLabels: { app: 'web' } }, { app: 'web' });
  d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } };
  d.spec!.template.spec!.restartPolicy = 'Never';
  t.deepEqual(strings(validateDeployment(d)), [
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
  ]);
});

test('replica sets and daemon sets share the selector rules; the selector is immutable', (t) => {
  const rs = { metadata: { name: 'r', namespace: 'd' }, spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In' as const, values: ['a'] }] }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  t.deepEqual(strings(validateReplicaSet(rs)), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
  ]);
  t.true(strings(validateDaemonSet({ ...rs, spec: { ...rs.spec, selector: {} } })).some((e) => e.includes('empty selector is invalid for daemonset')));
  const old = deployment({ matchLabels: { app: 'web' } }, { app: 'web' });
  old.metadata.resourceVersion = '2';
  const next = deployment({ matchLabels: { app: 'web2' } }, { app: 'web2' });
  next.metadata.resourceVersion = '2';
  const errs = strings(validateWorkloadUpdate(next, old, validateDeployment));
  t.deepEqual(errs, ['spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable']);
});

test('topology spread constraints: Kubernetes reports the repeated pair on the first constraint', (t) => {
  const errs = strings(
    validatePod(
      pod({
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
          { maxSkew: 0, topologyKey: '', whenUnsatisfiable: 'Maybe' as never },
          { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2 },
          { maxSkew: 1, topologyKey: 'host', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 },
        ],
      }),
    ),
  );
  t.deepEqual(errs, [
    'spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"',
    'spec.topologySpreadConstraints[1].maxSkew: Invalid value: 0: must be greater than zero',
    'spec.topologySpreadConstraints[1].topologyKey: Required value: can not be empty',
    'spec.topologySpreadConstraints[1].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
    'spec.topologySpreadConstraints[3].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway',
  ]);
});

test('every container check reports in Kubernetes order with the field path of the offending element', (t) => {
  const errs = strings(
    validatePod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x', namespace: 'default', generation: -1 },
      spec: {
        volumes: [{ name: 'v' }, { name: 'v' }],
        containers: [
          {
            name: 'c',
            image: ' i',
            env: [{ name: '' }, { name: 'A=B' }, { name: 'OK' }],
            volumeMounts: [
              { name: 'v', mountPath: '/a' },
              { name: 'v', mountPath: '/a' },
              { name: '', mountPath: '' },
            ],
            ports: [
              { containerPort: 80, name: 'http' },
              { containerPort: 81, name: 'BAD NAME' },
              { containerPort: 82, name: 'BAD NAME' },
              { containerPort: 83, name: 'http' },
              { containerPort: 0, hostPort: 99999, protocol: '' as never },
            ],
            livenessProbe: { exec: { command: ['x'] }, httpGet: { port: 'no_such name' }, tcpSocket: { port: 8080 }, periodSeconds: -1 },
            readinessProbe: {},
            startupProbe: { tcpSocket: { port: 0 } },
            resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '2Gi' } },
          },
        ],
        initContainers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '-1' } } }],
      },
    }),
  );
  const badName = 'Invalid value: "BAD NAME": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
  t.deepEqual(errs, [
    'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
    'spec.volumes[1].name: Duplicate value: "v"',
    'spec.containers[0].image: Invalid value: " i": must not have leading or trailing whitespace',
    `spec.containers[0].ports[1].name: ${badName}`,
    'spec.containers[0].ports[1].name: Invalid value: "BAD NAME": must contain at least one letter (a-z)',
    `spec.containers[0].ports[2].name: ${badName}`,
    'spec.containers[0].ports[2].name: Invalid value: "BAD NAME": must contain at least one letter (a-z)',
    'spec.containers[0].ports[3].name: Duplicate value: "http"',
    'spec.containers[0].ports[4].containerPort: Required value',
    'spec.containers[0].ports[4].hostPort: Invalid value: 99999: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[4].protocol: Required value',
    'spec.containers[0].env[0].name: Required value',
    "spec.containers[0].env[1].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
    'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    'spec.containers[0].volumeMounts[2].name: Required value',
    'spec.containers[0].volumeMounts[2].mountPath: Required value',
    'spec.containers[0].resources.requests[memory]: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
    'spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
    'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "no_such name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.containers[0].readinessProbe: Required value: must specify a handler type',
    'spec.containers[0].startupProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.initContainers[0].name: Duplicate value: "c"',
    'spec.initContainers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
  ]);
});

// core/v1 Container and what it is built from: ports, environment,
// resources, volume mounts, probes, lifecycle hooks, security context.
// Descriptions are Berth's own short summaries.

import { INT_OR_STRING, NS, QUANTITY, bool, int32, int64, listOf, mapOf, oneOf, optRef, ref, req, str, strList, type, type Field, type TypeDef } from './dsl.js';

const C = NS.core;
const ATOMIC = { 'x-kubernetes-map-type': 'atomic' };

/** The fields of a container; an ephemeral container has the same and one more. */
const CONTAINER_FIELDS: Readonly<Record<string, Field>> = {
    args: strList('Arguments passed to the entrypoint; the image\'s CMD when empty. $(VAR) references to the container\'s environment are expanded. Immutable.'),
    command: strList('The entrypoint, run without a shell; the image\'s ENTRYPOINT when empty. Immutable.'),
    env: listOf(ref(`${C}EnvVar`), 'Environment variables of the container. Immutable.'),
    envFrom: listOf(ref(`${C}EnvFromSource`), 'ConfigMaps and Secrets whose keys all become environment variables; env wins on a clash. Immutable.'),
    image: str('The container image to run, e.g. "nginx:1.27".'),
    imagePullPolicy: oneOf(['Always', 'IfNotPresent', 'Never'], 'When to pull the image. Always for a ":latest" or untagged image, IfNotPresent otherwise, unless set.'),
    lifecycle: optRef(`${C}Lifecycle`, 'Hooks run right after the container starts and right before it stops.'),
    livenessProbe: optRef(`${C}Probe`, 'A periodic check; the container is restarted when it fails.'),
    name: req(str('The container\'s name, a DNS label unique within the pod. Immutable.')),
    ports: listOf(ref(`${C}ContainerPort`), 'Ports the container listens on. Informational: an unlisted port is still reachable.'),
    readinessProbe: optRef(`${C}Probe`, 'A periodic check; while it fails the pod is taken out of service endpoints.'),
    resizePolicy: listOf(ref(`${C}ContainerResizePolicy`), 'How each resource may be resized in place.'),
    resources: ref(`${C}ResourceRequirements`, 'CPU, memory and other resources the container requests and may not exceed.'),
    restartPolicy: str('Only for init containers: "Always" turns the init container into a sidecar that keeps running.'),
    securityContext: optRef(`${C}SecurityContext`, 'Security settings for this container; they override the pod\'s.'),
    startupProbe: optRef(`${C}Probe`, 'A check that must succeed once before the other probes start.'),
    stdin: bool('Keep a stdin buffer open for the container. Default false.'),
    stdinOnce: bool('Close stdin after the first attach detaches. Default false.'),
    terminationMessagePath: str('File in the container whose content becomes the termination message. Default /dev/termination-log. Immutable.'),
    terminationMessagePolicy: oneOf(['FallbackToLogsOnError', 'File'], 'Where the termination message comes from: the file only, or the log tail when the file is empty and the container failed. Default File.'),
    tty: bool('Allocate a TTY for the container. Default false.'),
    volumeDevices: listOf(ref(`${C}VolumeDevice`), 'Raw block volumes exposed as devices.'),
    volumeMounts: listOf(ref(`${C}VolumeMount`), 'Pod volumes mounted into the container. Immutable.'),
    workingDir: str('Working directory of the process; the runtime\'s default when empty. Immutable.'),
};

export const CONTAINER_TYPES: readonly TypeDef[] = [
  type(`${C}Container`, 'One container of a pod: an image, how to run it, and what it needs.', CONTAINER_FIELDS),
  type(`${C}EphemeralContainer`, 'A container added to a running pod for debugging (kubectl debug); it is never restarted and has no ports or probes.', {
    ...CONTAINER_FIELDS,
    targetContainerName: str('The container whose namespaces (process, IPC) the ephemeral container joins.'),
  }),
  type(`${C}ContainerResizePolicy`, 'What a resize of one resource does to the container.', {
    resourceName: req(str('The resource: cpu or memory.')),
    restartPolicy: req(str('NotRequired (resize in place) or RestartContainer.')),
  }),
  type(`${C}VolumeDevice`, 'A raw block volume exposed to the container as a device.', {
    devicePath: req(str('Path of the device inside the container.')),
    name: req(str('The persistentVolumeClaim volume of the pod.')),
  }),
  type(`${C}ResourceClaim`, 'One dynamic resource claim of the pod that a container uses.', {
    name: req(str('The name of an entry of the pod\'s spec.resourceClaims.')),
    request: str('One request of that claim; empty for the whole claim.'),
  }),
  type(`${C}ContainerPort`, 'A port a container listens on.', {
    containerPort: req(int32('The port number on the pod IP, 1-65535.')),
    hostIP: str('The host address to bind a host port to.'),
    hostPort: int32('Also expose the port on the node at this number, 1-65535. Rarely needed.'),
    name: str('A name for the port (an IANA service name, unique in the pod) that services can target.'),
    protocol: oneOf(['SCTP', 'TCP', 'UDP'], 'The port\'s protocol. Default TCP.'),
  }),
  type(`${C}EnvVar`, 'One environment variable of a container.', {
    name: req(str('The variable\'s name.')),
    value: str('A literal value; $(VAR) references to earlier variables are expanded. Default "".'),
    valueFrom: optRef(`${C}EnvVarSource`, 'Where to read the value from instead of a literal.'),
  }),
  type(`${C}EnvVarSource`, 'A source for an environment variable\'s value; exactly one is set.', {
    configMapKeyRef: optRef(`${C}ConfigMapKeySelector`, 'One key of a ConfigMap.'),
    fieldRef: optRef(`${C}ObjectFieldSelector`, 'A field of the pod, e.g. metadata.name, spec.nodeName, status.podIP.'),
    resourceFieldRef: optRef(`${C}ResourceFieldSelector`, 'A resource limit or request of a container.'),
    secretKeyRef: optRef(`${C}SecretKeySelector`, 'One key of a Secret in the pod\'s namespace.'),
  }),
  type(`${C}ObjectFieldSelector`, 'A field of an object, by path.', {
    apiVersion: str('The API version the path is written against. Default "v1".'),
    fieldPath: req(str('The path of the field, e.g. metadata.namespace.')),
  }, ATOMIC),
  type(`${C}ResourceFieldSelector`, 'A resource of a container (limits.cpu, requests.memory, ...) and its unit.', {
    containerName: str('The container; required in volumes, optional in env.'),
    divisor: ref(QUANTITY, 'The unit the value is expressed in. Default "1".', { nullable: true }),
    resource: req(str('The resource to read, e.g. limits.cpu.')),
  }, ATOMIC),
  type(`${C}ConfigMapKeySelector`, 'One key of a ConfigMap.', {
    key: req(str('The key.')),
    name: str('The ConfigMap\'s name.'),
    optional: bool('Whether the ConfigMap or key may be missing.'),
  }, ATOMIC),
  type(`${C}SecretKeySelector`, 'One key of a Secret.', {
    key: req(str('The key.')),
    name: str('The Secret\'s name.'),
    optional: bool('Whether the Secret or key may be missing.'),
  }, ATOMIC),
  type(`${C}EnvFromSource`, 'A ConfigMap or Secret whose keys all become environment variables.', {
    configMapRef: optRef(`${C}ConfigMapEnvSource`, 'The ConfigMap to read.'),
    prefix: str('Text put in front of every variable name.'),
    secretRef: optRef(`${C}SecretEnvSource`, 'The Secret to read.'),
  }),
  type(`${C}ConfigMapEnvSource`, 'A ConfigMap used as a set of environment variables.', {
    name: str('The ConfigMap\'s name.'),
    optional: bool('Whether the ConfigMap may be missing.'),
  }),
  type(`${C}SecretEnvSource`, 'A Secret used as a set of environment variables.', {
    name: str('The Secret\'s name.'),
    optional: bool('Whether the Secret may be missing.'),
  }),
  type(`${C}ResourceRequirements`, 'Compute resources of a container: what it asks for and what it may use at most.', {
    claims: listOf(ref(`${C}ResourceClaim`), 'Dynamic resource claims (DRA) the container uses.'),
    limits: mapOf(ref(QUANTITY, undefined, { nullable: true }), 'The most of each resource the container may use, e.g. cpu: "1", memory: "512Mi".'),
    requests: mapOf(ref(QUANTITY, undefined, { nullable: true }), 'The resources the scheduler reserves for the container. A missing request defaults to the limit.'),
  }),
  type(`${C}VolumeMount`, 'A pod volume mounted into a container.', {
    mountPath: req(str('Where in the container the volume appears. Must not contain \':\'.')),
    mountPropagation: str('How mounts propagate between host and container: None (default), HostToContainer or Bidirectional.'),
    name: req(str('The name of a volume of the pod.')),
    readOnly: bool('Mount read-only. Default false.'),
    recursiveReadOnly: str('Whether a read-only mount is read-only in its submounts too: Disabled, IfPossible or Enabled.'),
    subPath: str('Mount only this path inside the volume. Default "" (the whole volume).'),
    subPathExpr: str('Like subPath, with $(VAR) references to the container\'s environment expanded.'),
  }),
  type(`${C}Probe`, 'A health check run against a container: one action plus timing.', {
    exec: optRef(`${C}ExecAction`, 'Run a command in the container.'),
    failureThreshold: int32('Consecutive failures that count as failed. Default 3.'),
    grpc: optRef(`${C}GRPCAction`, 'Call the gRPC health service.'),
    httpGet: optRef(`${C}HTTPGetAction`, 'Send an HTTP GET.'),
    initialDelaySeconds: int32('Seconds to wait after the container starts before the first check.'),
    periodSeconds: int32('Seconds between checks. Default 10.'),
    successThreshold: int32('Consecutive successes that count as passed after a failure. Default 1 (must be 1 for liveness and startup).'),
    tcpSocket: optRef(`${C}TCPSocketAction`, 'Open a TCP connection.'),
    terminationGracePeriodSeconds: int64('Grace period used when a failed probe kills the container, instead of the pod\'s.'),
    timeoutSeconds: int32('Seconds before one check times out. Default 1.'),
  }),
  type(`${C}ExecAction`, 'Run a command inside the container.', {
    command: strList('The command line, run from / without a shell; exit status 0 means healthy.'),
  }),
  type(`${C}HTTPGetAction`, 'An HTTP GET request; a 2xx or 3xx answer means healthy.', {
    host: str('Host to connect to. Default: the pod IP.'),
    httpHeaders: listOf(ref(`${C}HTTPHeader`), 'Extra request headers.'),
    path: str('Request path. Default "/".'),
    port: req(ref(INT_OR_STRING, 'Port number (1-65535) or name of a container port.', { nullable: true })),
    scheme: oneOf(['HTTP', 'HTTPS'], 'Scheme. Default HTTP.'),
  }),
  type(`${C}HTTPHeader`, 'One HTTP header.', {
    name: req(str('Header name.')),
    value: req(str('Header value.')),
  }),
  type(`${C}TCPSocketAction`, 'Open a TCP connection; success means healthy.', {
    host: str('Host to connect to. Default: the pod IP.'),
    port: req(ref(INT_OR_STRING, 'Port number (1-65535) or name of a container port.', { nullable: true })),
  }),
  type(`${C}GRPCAction`, 'Call the standard gRPC health-checking service.', {
    port: req(int32('Port of the gRPC server, 1-65535.')),
    service: str('Service name sent in the health check request.'),
  }),
  type(`${C}Lifecycle`, 'Hooks around a container\'s life.', {
    postStart: optRef(`${C}LifecycleHandler`, 'Runs right after the container is created; a failure restarts the container.'),
    preStop: optRef(`${C}LifecycleHandler`, 'Runs right before the container is stopped, within the grace period.'),
  }),
  type(`${C}LifecycleHandler`, 'One action of a lifecycle hook.', {
    exec: optRef(`${C}ExecAction`, 'Run a command in the container.'),
    httpGet: optRef(`${C}HTTPGetAction`, 'Send an HTTP GET.'),
    sleep: optRef(`${C}SleepAction`, 'Wait for a number of seconds.'),
    tcpSocket: optRef(`${C}TCPSocketAction`, 'Deprecated; not supported as a hook.'),
  }),
  type(`${C}SleepAction`, 'Wait before continuing.', { seconds: req(int64('Seconds to wait.')) }),
  type(`${C}SecurityContext`, 'Security settings of one container; they override the pod\'s where both are set.', {
    allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent.'),
    appArmorProfile: optRef(`${C}AppArmorProfile`, 'The AppArmor profile; overrides the pod\'s.'),
    capabilities: optRef(`${C}Capabilities`, 'POSIX capabilities to add or drop.'),
    privileged: bool('Run as privileged (root-equivalent on the host). Default false.'),
    procMount: str('The /proc mount type: Default or Unmasked.'),
    readOnlyRootFilesystem: bool('Make the root filesystem read-only. Default false.'),
    runAsGroup: int64('GID of the container process.'),
    runAsNonRoot: bool('Refuse to start the container as UID 0.'),
    runAsUser: int64('UID of the container process. Default: the image\'s user.'),
    seLinuxOptions: optRef(`${C}SELinuxOptions`, 'The SELinux context; overrides the pod\'s.'),
    seccompProfile: optRef(`${C}SeccompProfile`, 'The seccomp profile; overrides the pod\'s.'),
    windowsOptions: optRef(`${C}WindowsSecurityContextOptions`, 'Settings for Windows containers.'),
  }),
  type(`${C}SELinuxOptions`, 'An SELinux context.', {
    level: str('The SELinux level.'),
    role: str('The SELinux role.'),
    type: str('The SELinux type.'),
    user: str('The SELinux user.'),
  }),
  type(`${C}SeccompProfile`, 'A seccomp profile.', {
    localhostProfile: str('For Localhost: the profile file, relative to the kubelet\'s seccomp directory.'),
    type: req(str('RuntimeDefault, Unconfined or Localhost.')),
  }),
  type(`${C}AppArmorProfile`, 'An AppArmor profile.', {
    localhostProfile: str('For Localhost: the name of a profile loaded on the node.'),
    type: req(str('RuntimeDefault, Unconfined or Localhost.')),
  }),
  type(`${C}WindowsSecurityContextOptions`, 'Security settings specific to Windows.', {
    gmsaCredentialSpec: str('The GMSA credential spec content.'),
    gmsaCredentialSpecName: str('The name of the GMSA credential spec.'),
    hostProcess: bool('Run as a Windows HostProcess container.'),
    runAsUserName: str('The Windows user to run as.'),
  }),
  type(`${C}Capabilities`, 'POSIX capabilities added to or dropped from a container.', {
    add: strList('Capabilities to add.'),
    drop: strList('Capabilities to drop.'),
  }),
];

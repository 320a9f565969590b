/** A kubeconfig for a cluster's HTTP API (no token: the embedded API binds loopback only). */
export function kubeconfigText(server: string, name = 'berth'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `current-context: ${name}`,
    'users:',
    `- name: ${name}`,
    '  user: {}',
    '',
  ].join('\n');
}

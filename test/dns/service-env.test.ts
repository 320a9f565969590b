/** The service environment variables a container gets, as the kubelet writes them. */
import test from 'ava';
import { serviceEnv } from '../../lib/dns/service-env.js';
import type { Service } from '../../lib/api/types/core.js';

const svc = (namespace: string, name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });

const all = [
  svc('shop', 'redis-primary', { clusterIP: '127.1.0.7', ports: [{ port: 6379 }] }),
  svc('shop', 'web', { clusterIP: '127.1.0.8', ports: [{ name: 'http', port: 80 }, { name: 'dns-udp', port: 53, protocol: 'UDP' }] }),
  svc('shop', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
  svc('shop', '9lives', { clusterIP: '127.1.0.9', ports: [{ port: 9 }] }),
  svc('other', 'elsewhere', { clusterIP: '127.1.0.10', ports: [{ port: 1 }] }),
  svc('default', 'kubernetes', { clusterIP: '127.1.0.1', ports: [{ name: 'https', port: 443 }] }),
];

test('services of the pod\'s namespace with a ClusterIP, plus the kubernetes service, as *_SERVICE_HOST/PORT and Docker link variables', (t) => {
  const env = serviceEnv(all, 'shop');
  t.like(env, {
    REDIS_PRIMARY_SERVICE_HOST: '127.1.0.7',
    REDIS_PRIMARY_SERVICE_PORT: '6379',
    REDIS_PRIMARY_PORT: 'tcp://127.1.0.7:6379',
    REDIS_PRIMARY_PORT_6379_TCP: 'tcp://127.1.0.7:6379',
    REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
    REDIS_PRIMARY_PORT_6379_TCP_ADDR: '127.1.0.7',
    WEB_SERVICE_PORT: '80',
    WEB_SERVICE_PORT_HTTP: '80',
    WEB_SERVICE_PORT_DNS_UDP: '53',
    WEB_PORT_53_UDP: 'udp://127.1.0.8:53',
    _9LIVES_SERVICE_HOST: '127.1.0.9',
    KUBERNETES_SERVICE_HOST: '127.1.0.1',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
  });
  t.false(Object.keys(env).some((k) => k.startsWith('HEADLESS_') || k.startsWith('ELSEWHERE_')), 'no headless service, nothing from other namespaces');
});

test('enableServiceLinks false keeps only the kubernetes service', (t) => {
  t.deepEqual(Object.keys(serviceEnv(all, 'shop', false)).filter((k) => k.endsWith('_SERVICE_HOST')), ['KUBERNETES_SERVICE_HOST']);
});

/**
 * The one plugin table: name -> factory. Profiles pick plugins from it by
 * name and give weights; a duplicate name is a programming error caught at
 * load time.
 */
import type { AnyPlugin, PluginArgs } from '../framework.js';
import { balancedAllocation } from './balanced-allocation.js';
import { imageLocality } from './image-locality.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { nodeAffinity } from './node-affinity.js';
import { nodeName } from './node-name.js';
import { nodePorts } from './node-ports.js';
import { nodeResourcesFit } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { podTopologySpread } from './pod-topology-spread.js';
import { taintToleration } from './taint-toleration.js';

export type PluginFactory = (args: PluginArgs) => AnyPlugin;

const entries: [string, PluginFactory][] = [
  ['NodeName', () => nodeName()],
  ['NodeUnschedulable', () => nodeUnschedulable()],
  ['TaintToleration', () => taintToleration()],
  ['NodeAffinity', () => nodeAffinity()],
  ['NodePorts', () => nodePorts()],
  ['NodeResourcesFit', (a) => nodeResourcesFit(a.NodeResourcesFit)],
  ['PodTopologySpread', () => podTopologySpread()],
  ['InterPodAffinity', (a) => interPodAffinity(a.InterPodAffinity)],
  ['NodeResourcesBalancedAllocation', (a) => balancedAllocation(a.NodeResourcesBalancedAllocation)],
  ['ImageLocality', () => imageLocality()],
];

function buildRegistry(list: readonly [string, PluginFactory][]): ReadonlyMap<string, PluginFactory> {
  const m = new Map<string, PluginFactory>();
  for (const [name, f] of list) {
    if (m.has(name)) throw new Error(`scheduler plugin registered twice: ${name}`);
    m.set(name, f);
  }
  return m;
}

export const REGISTRY = buildRegistry(entries);

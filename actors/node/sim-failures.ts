/**
 * Container failures drawn with a probability (a scenario pool's
 * `failures`): each regular container of a pod admitted to the node draws
 * each failure once, from a seed of the pod's name, the container's name and
 * the failure's position, so the same pods fail the same way in every run of
 * a seed. A drawn failure is laid over the container's behaviour and holds
 * for every start of it: a crash loop crashes on each restart, as a broken
 * program would.
 */
import { parseSelector, type Selector } from '../../lib/api/selectors/index.js';
import { seedOf, unit, type Latency, type SimConfig } from './sim.js';

export interface SimFailure {
  /** 0..1: the chance a container draws this failure. */
  readonly probability: number;
  /** Only containers of pods whose labels match (a label selector string); default every pod. */
  readonly selector?: string;
  /** The container exits after running this long; 0 (the default) exits at once: a crash loop. */
  readonly exitAfterMs?: Latency;
  /** The exit's code; default 1 (137 for an OOM kill). */
  readonly exitCode?: number;
  /** The exit is an OOM kill: exit code 137, reason OOMKilled. */
  readonly oomKilled?: boolean;
}

/** Selectors parsed once per string (a pool has a handful); null: not a selector (from an annotation), matches nothing. */
const selectors = new Map<string, Selector | null>();
function selectorOf(s: string): Selector | null {
  let sel = selectors.get(s);
  if (sel === undefined) {
    const parsed = parseSelector(s);
    selectors.set(s, (sel = parsed.ok ? parsed.selector : null));
  }
  return sel;
}

/**
 * `sim` with the failures this pod's containers drew laid over their
 * behaviour (per-container overrides); `sim` itself when none did. The
 * first failure a container draws wins.
 */
export function drawFailures(
  sim: SimConfig,
  failures: readonly SimFailure[] | undefined,
  pod: { readonly name: string; readonly labels: Readonly<Record<string, string>> | undefined },
  containers: readonly string[],
): SimConfig {
  if (!failures || failures.length === 0) return sim;
  let overrides: Record<string, NonNullable<SimConfig['containers']>[string]> | undefined;
  for (const container of containers) {
    for (let i = 0; i < failures.length; i++) {
      const f = failures[i]!;
      if (f.selector !== undefined && !selectorOf(f.selector)?.matches(pod.labels ?? {})) continue;
      if (typeof f.probability !== 'number') continue;
      if (unit(seedOf(pod.name, container, 'failure', i)) >= f.probability) continue;
      overrides ??= { ...sim.containers };
      overrides[container] = {
        ...sim.containers?.[container],
        exitAfterMs: f.exitAfterMs ?? 0,
        exitCode: f.exitCode ?? (f.oomKilled ? 137 : 1),
        ...(f.oomKilled ? { oomKilled: true } : {}),
      };
      break;
    }
  }
  return overrides ? { ...sim, containers: overrides } : sim;
}

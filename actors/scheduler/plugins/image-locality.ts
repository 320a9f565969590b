/**
 * ImageLocality: favours nodes that already have the pod's images, each image
 * counted by its size times the share of nodes that have it; the sum is
 * clamped to [23 MiB, 1000 MiB x containers] and scaled to 0..100.
 */
import { MAX_NODE_SCORE, type CycleContext, type ScorePlugin } from '../framework.js';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

export function imageScore(sum: number, containers: number): number {
  if (containers === 0) return 0;
  const max = MAX_CONTAINER_THRESHOLD * containers;
  const s = Math.min(Math.max(sum, MIN_THRESHOLD), max);
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}

export const imageLocality = () => ({
  name: 'ImageLocality',
  events: [],
  scoreScope: 'static',
  // A pod none of whose images is on any node scores 0 everywhere: its images do not matter.
  nodeKey: (shape, cache) => (shape.images.some((im) => cache.imageNodes.has(im)) ? JSON.stringify([shape.images, shape.containerCount]) : ''),
  normalize: 'none',
  scoreRelevant: () => true,
  score(ctx: CycleContext, n: number) {
    const imgs = ctx.cache.images[n];
    let sum = 0;
    if (imgs && imgs.size > 0) {
      for (const im of ctx.shape.images) {
        const size = imgs.get(im);
        if (size !== undefined) sum += Math.trunc(size * ((ctx.cache.imageNodes.get(im) ?? 0) / ctx.cache.liveCount));
      }
    }
    return imageScore(sum, ctx.shape.containerCount);
  },
}) satisfies ScorePlugin;

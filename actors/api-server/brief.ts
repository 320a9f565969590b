/**
 * Brief answers for batches (`api.batch` with `brief`): a 2xx body reduced
 * to what a bulk writer needs to address and update the object (apiVersion,
 * kind, metadata name/namespace/uid/resourceVersion). Failures stay whole
 * Status bodies. Sending 1,000 full Pods back per batch cost the api-server
 * thread about as much as creating them.
 */
import type { ApiResponse } from './messages.js';

export function briefResponse(res: ApiResponse): ApiResponse {
  if (res.code < 200 || res.code >= 300) return res;
  const body = res.body as { apiVersion?: string; kind?: string; metadata?: Record<string, unknown> };
  const m = body.metadata;
  if (typeof m !== 'object' || m === null) return res;
  const metadata: Record<string, unknown> = { name: m['name'] };
  if (m['namespace'] !== undefined) metadata['namespace'] = m['namespace'];
  metadata['uid'] = m['uid'];
  metadata['resourceVersion'] = m['resourceVersion'];
  return { code: res.code, body: { apiVersion: body.apiVersion, kind: body.kind, metadata } };
}

// The key layout of the kubernetes workload, as kube-apiserver stores objects in etcd:
// /registry/<kind>/<namespace>/<name>. The controllers' leader election key sits in the
// same prefix (a Lease object), so every controller's cache also holds it.
import type { Outcome } from "../../core/client/session";
import { type EtcdSuccess, isError, type KeyValue } from "../../core/server/api";
import { DEFAULT_KUBERNETES, type KubernetesSpec, type WorkloadSpec } from "../types";

export const REGISTRY_PREFIX = "/registry/";
/** The first key after every key with REGISTRY_PREFIX ("/" + 1 = "0"). */
export const REGISTRY_END = "/registry0";
export const LEADER_KEY = "/registry/leases/kube-system/kube-controller-manager";

export function kubernetesSpec(workload: WorkloadSpec): KubernetesSpec {
  const k = workload.kubernetes;
  return { ...DEFAULT_KUBERNETES, ...k, mix: { ...(k?.mix ?? DEFAULT_KUBERNETES.mix) } };
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${REGISTRY_PREFIX}${kind}/${namespace}/${name}`;
}

/** Every object key the workload may touch: kinds × namespaces × `names` names (small, so writers conflict). */
export function objectKeys(spec: KubernetesSpec, names: number): string[] {
  const keys: string[] = [];
  for (const kind of spec.kinds) for (const ns of spec.namespaces) for (let i = 0; i < names; i++) keys.push(objectKey(kind, ns, `obj-${i}`));
  return keys;
}

/** What the leader key holds for controller `index`: its identity. */
export function controllerIdentity(index: number): string {
  return `controller-${index}`;
}

/**
 * A canonical text of a key space (sorted by key, every field): a controller's cache and the
 * store at a revision are equal exactly when their texts are.
 */
export function keySpaceText(kvs: Iterable<KeyValue>): string {
  const lines: string[] = [];
  for (const kv of kvs) lines.push(`${kv.key} c${kv.createRevision} m${kv.modRevision} v${kv.version} l${kv.lease} =${kv.value}`);
  return lines.sort().join("\n");
}

/** The response of a request that succeeded with the expected type, else undefined. */
export function okResponse<T extends EtcdSuccess["type"]>(o: Outcome, type: T): Extract<EtcdSuccess, { type: T }> | undefined {
  if (o.status !== "ok" || isError(o.response) || o.response.type !== type) return undefined;
  return o.response as Extract<EtcdSuccess, { type: T }>;
}

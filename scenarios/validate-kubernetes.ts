// Validation of a workload's `kubernetes` section (see KubernetesSpec): names the first bad field.
import { DEFAULT_KUBERNETES, type KubernetesSpec } from "./types";
import { ScenarioError } from "./validate";

const ACTIONS = ["get", "update", "create", "delete", "compact"];
/** A kind or namespace is one path segment of /registry/<kind>/<ns>/<name>. */
const SEGMENT = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const SEGMENTS_MAX = 16;

export function validateKubernetesSpec(input: unknown, kind: string, path: string): KubernetesSpec | undefined {
  if (input === undefined) return undefined;
  if (kind !== "kubernetes") throw new ScenarioError(path, `only allowed with workload.kind "kubernetes" (kind is ${JSON.stringify(kind)})`);
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new ScenarioError(path, "expected an object");
  const o = input as Record<string, unknown>;
  for (const field of Object.keys(o)) {
    if (!(field in DEFAULT_KUBERNETES)) throw new ScenarioError(`${path}.${field}`, `unknown field; expected one of ${Object.keys(DEFAULT_KUBERNETES).join(", ")}`);
  }
  const spec: KubernetesSpec = { ...DEFAULT_KUBERNETES, ...o, mix: { ...((o.mix as KubernetesSpec["mix"] | undefined) ?? DEFAULT_KUBERNETES.mix) } } as KubernetesSpec;
  for (const field of ["kinds", "namespaces"] as const) {
    const list: unknown = spec[field];
    if (!Array.isArray(list) || list.length === 0 || list.length > SEGMENTS_MAX) throw new ScenarioError(`${path}.${field}`, `expected an array of 1 to ${SEGMENTS_MAX} names`);
    list.forEach((s: unknown, i) => {
      if (typeof s !== "string" || !SEGMENT.test(s)) throw new ScenarioError(`${path}.${field}[${i}]`, `expected a lower-case DNS label (a-z, 0-9, "-", "."), got ${JSON.stringify(s)}`);
      if (list.indexOf(s) !== i) throw new ScenarioError(`${path}.${field}[${i}]`, `duplicate name ${JSON.stringify(s)}`);
    });
  }
  integer(spec.leaseTtlSeconds, `${path}.leaseTtlSeconds`, 1, 3_600);
  integer(spec.listPageSize, `${path}.listPageSize`, 0, 100_000);
  if (typeof spec.mix !== "object" || spec.mix === null || Array.isArray(o.mix)) throw new ScenarioError(`${path}.mix`, "expected an object of action weights");
  let total = 0;
  for (const [action, weight] of Object.entries(spec.mix)) {
    if (!ACTIONS.includes(action)) throw new ScenarioError(`${path}.mix.${action}`, `expected one of ${ACTIONS.join(", ")}`);
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0 || weight > 1_000) throw new ScenarioError(`${path}.mix.${action}`, `expected a number in [0, 1000], got ${JSON.stringify(weight)}`);
    total += weight;
  }
  if (total <= 0) throw new ScenarioError(`${path}.mix`, "expected at least one action with a positive weight");
  return spec;
}

function integer(v: unknown, path: string, min: number, max: number): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new ScenarioError(path, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
}

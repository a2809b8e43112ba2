import { describe, expect, it } from "vitest";
import { DEFAULT_KUBERNETES } from "./types";
import { validateScenario } from "./validate";

const base = (workload: Record<string, unknown>) => ({ name: "k", workload });
const error = (workload: Record<string, unknown>) => {
  try {
    validateScenario(base(workload), "f.json");
  } catch (e) {
    return (e as Error).message;
  }
  return "accepted";
};

describe("validating the kubernetes workload", () => {
  it("accepts the kind with or without a kubernetes section, filling defaults", () => {
    expect(validateScenario(base({ kind: "kubernetes" })).workload.kubernetes).toBeUndefined();
    const s = validateScenario(base({ kind: "kubernetes", kubernetes: { kinds: ["pods"], mix: { update: 1 } } }));
    expect(s.workload.kubernetes).toEqual({ ...DEFAULT_KUBERNETES, kinds: ["pods"], mix: { update: 1 } });
  });

  it("names the first bad field", () => {
    expect(error({ kind: "kube" })).toBe('f.json.workload.kind: expected "none", "kv" or "kubernetes"');
    expect(error({ kind: "kv", kubernetes: {} })).toBe('f.json.workload.kubernetes: only allowed with workload.kind "kubernetes" (kind is "kv")');
    expect(error({ kind: "kubernetes", kubernetes: [] })).toBe("f.json.workload.kubernetes: expected an object");
    expect(error({ kind: "kubernetes", kubernetes: { kind: ["pods"] } })).toMatch(/^f\.json\.workload\.kubernetes\.kind: unknown field; expected one of kinds, namespaces/);
    expect(error({ kind: "kubernetes", kubernetes: { kinds: [] } })).toBe("f.json.workload.kubernetes.kinds: expected an array of 1 to 16 names");
    expect(error({ kind: "kubernetes", kubernetes: { namespaces: ["default", "a/b"] } })).toBe('f.json.workload.kubernetes.namespaces[1]: expected a lower-case DNS label (a-z, 0-9, "-", "."), got "a/b"');
    expect(error({ kind: "kubernetes", kubernetes: { kinds: ["pods", "pods"] } })).toBe('f.json.workload.kubernetes.kinds[1]: duplicate name "pods"');
    expect(error({ kind: "kubernetes", kubernetes: { leaseTtlSeconds: 0.5 } })).toBe("f.json.workload.kubernetes.leaseTtlSeconds: expected an integer in [1, 3600], got 0.5");
    expect(error({ kind: "kubernetes", kubernetes: { listPageSize: -1 } })).toBe("f.json.workload.kubernetes.listPageSize: expected an integer in [0, 100000], got -1");
    expect(error({ kind: "kubernetes", kubernetes: { mix: { patch: 1 } } })).toBe("f.json.workload.kubernetes.mix.patch: expected one of get, update, create, delete, compact");
    expect(error({ kind: "kubernetes", kubernetes: { mix: { get: "2" } } })).toBe('f.json.workload.kubernetes.mix.get: expected a number in [0, 1000], got "2"');
    expect(error({ kind: "kubernetes", kubernetes: { mix: { get: 0 } } })).toBe("f.json.workload.kubernetes.mix: expected at least one action with a positive weight");
    expect(error({ kind: "kubernetes", kubernetes: { mix: [1] } })).toBe("f.json.workload.kubernetes.mix: expected an object of action weights");
  });
});

// Shape checks for operations in raftsim history JSON, so that a misspelt input is bad
// input (exit 2 naming the operation) instead of a false "not linearizable".
import type { ModelName, Operation } from "./history";

const ETCD_TYPES = ["range", "put", "deleteRange", "txn", "compact", "leaseGrant", "leaseRevoke", "leaseKeepAlive", "leaseTimeToLive", "leaseLeases"];

/** Returns what is wrong with the operation for `model`, or undefined if it fits. */
export function describeShapeError(model: ModelName, op: Operation): string | undefined {
  const input = op.input as Record<string, unknown> | null;
  if (typeof input !== "object" || input === null) return `expected "input" to be an object`;
  const output = op.return === Infinity ? null : (op.output as Record<string, unknown> | null);
  if (output !== null && typeof output !== "object") return `expected "output" to be an object or null`;
  switch (model) {
    case "register":
      if (input.op === "read") return output === null || "value" in output ? undefined : `expected a read's output {value}`;
      if (input.op === "write") return "value" in input ? undefined : `expected a write's input {op, value}`;
      if (input.op === "cas") return !("from" in input && "to" in input) ? `expected a cas input {op, from, to}` : output === null || typeof output.ok === "boolean" ? undefined : `expected a cas output {ok: boolean}`;
      return `expected input.op to be read, write or cas, got ${JSON.stringify(input.op)}`;
    case "kv":
      if (typeof input.key !== "string") return `expected input.key to be a string`;
      if (input.op === "get") return output === null || typeof output.value === "string" ? undefined : `expected a get's output {value: string}`;
      if (input.op === "put" || input.op === "append") return typeof input.value === "string" ? undefined : `expected input.value to be a string`;
      return `expected input.op to be get, put or append, got ${JSON.stringify(input.op)}`;
    case "etcd":
      if (!ETCD_TYPES.includes(input.type as string)) return `expected input.type to be one of ${ETCD_TYPES.join(", ")}, got ${JSON.stringify(input.type)}`;
      if (output !== null && typeof output.error !== "string" && output.type !== input.type) return `expected output.type ${JSON.stringify(input.type)} (or an {error}), got ${JSON.stringify(output.type)}`;
      return undefined;
  }
}

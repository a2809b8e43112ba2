// A read/write/compare-and-set register; with `key` set, one independent register per key.
import type { Operation } from "../history";
import { hashString, type Model } from "../model";
import { groupByKey } from "./partition";

export type RegisterValue = string | number | null;

export type RegisterInput =
  | { op: "read"; key?: string }
  | { op: "write"; key?: string; value: RegisterValue }
  /** Sets `to` only if the register holds `from`. */
  | { op: "cas"; key?: string; from: RegisterValue; to: RegisterValue };

/** read: the value read (null = empty); write: {}; cas: whether it applied. */
export type RegisterOutput = { value: RegisterValue } | { ok: boolean } | Record<string, never>;

export function hashValue(v: RegisterValue): number {
  if (v === null) return 0x5bd1e995;
  if (typeof v === "number") return Math.imul(v | 0, 0x9e3779b1) ^ ((v / 4294967296) | 0);
  return hashString(v) ^ 0x27d4eb2d;
}

export const registerModel: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  name: "register",
  init: () => null,
  step(state, input, output) {
    switch (input.op) {
      case "read":
        if (output === null) return state;
        return (output as { value: RegisterValue }).value === state ? state : undefined;
      case "write":
        return input.value;
      case "cas": {
        const matches = input.from === state;
        // Unknown outcome: it applied iff its compare matched at the point it is placed.
        if (output === null) return matches ? input.to : state;
        const ok = (output as { ok: boolean }).ok;
        if (ok !== matches) return undefined;
        return matches ? input.to : state;
      }
    }
  },
  hash: hashValue,
  equal: (a, b) => a === b,
  partition: (ops) => groupByKey(ops, (input) => input.key ?? ""),
  describeOperation(input, output) {
    const key = input.key !== undefined ? `[${input.key}]` : "";
    switch (input.op) {
      case "read":
        return `read${key} → ${output === null ? "?" : JSON.stringify((output as { value: RegisterValue }).value)}`;
      case "write":
        return `write${key}(${JSON.stringify(input.value)})`;
      case "cas":
        return `cas${key}(${JSON.stringify(input.from)} → ${JSON.stringify(input.to)}) → ${output === null ? "?" : (output as { ok: boolean }).ok}`;
    }
  },
  describeState: (s) => JSON.stringify(s),
};

export type RegisterOperation = Operation<RegisterInput, RegisterOutput>;

// A string key-value store with get / put / append (porcupine's kv model); keys are
// independent, so histories are checked per key. A missing key reads as "".
import type { Operation } from "../history";
import { hashString, type Model } from "../model";
import { groupByKey } from "./partition";

export type KvInput = { op: "get"; key: string } | { op: "put"; key: string; value: string } | { op: "append"; key: string; value: string };
/** get: the value read; put/append: {}. */
export type KvOutput = { value: string } | Record<string, never>;

export const kvModel: Model<string, KvInput, KvOutput> = {
  name: "kv",
  init: () => "",
  step(state, input, output) {
    switch (input.op) {
      case "get":
        return output === null || (output as { value: string }).value === state ? state : undefined;
      case "put":
        return input.value;
      case "append":
        return state + input.value;
    }
  },
  hash: hashString,
  equal: (a, b) => a === b,
  partition: (ops) => groupByKey(ops, (input) => input.key),
  describeOperation(input, output) {
    switch (input.op) {
      case "get":
        return `get(${JSON.stringify(input.key)}) → ${output === null ? "?" : JSON.stringify((output as { value: string }).value)}`;
      case "put":
        return `put(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)})`;
      case "append":
        return `append(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)})`;
    }
  },
  describeState: (s) => JSON.stringify(s),
};

export type KvOperation = Operation<KvInput, KvOutput>;

// Workload presets for the latency report. Closed loop (each client waits for its answer,
// then ~1 ms of think time, the kv workload's minimum gap), so a slower disk shows up as
// both higher latency and lower throughput, as in etcd's own benchmark tool.
import { DEFAULT_WORKLOAD, type WorkloadSpec } from "../../scenarios/types";

const base: WorkloadSpec = { ...DEFAULT_WORKLOAD, ratePerSec: 0, keys: 1_000, valueBytes: 256, watchers: 0, requestTimeoutMs: 5_000 };

export const LATENCY_WORKLOADS: Record<string, { description: string; workload: WorkloadSpec }> = {
  mixed: { description: "8 clients: put 40 %, linearizable get/range 40 %, txn 20 %; 256-byte values over 1,000 keys", workload: { ...base, clients: 8, mix: { put: 4, get: 2, range: 2, txn: 2 } } },
  writes: { description: "16 clients writing 256-byte values over 1,000 keys", workload: { ...base, clients: 16, mix: { put: 1 } } },
  reads: { description: "8 clients, linearizable and serializable gets", workload: { ...base, clients: 8, mix: { get: 1, getSerializable: 1 } } },
  "one-client-put": { description: "1 client writing 256-byte values (etcd's benchmark, one-client row)", workload: { ...base, clients: 1, mix: { put: 1 } } },
  "one-client-get": { description: "1 client, linearizable gets (etcd's benchmark, one-client row)", workload: { ...base, clients: 1, mix: { get: 1 } } },
  "one-client-serializable": { description: "1 client, serializable gets (etcd's benchmark, one-client row)", workload: { ...base, clients: 1, mix: { getSerializable: 1 } } },
};

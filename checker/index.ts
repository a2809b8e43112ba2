// Public entry points of the checker. It imports nothing from core/, sim/ or scenarios/.
export { checkHistory, type CheckOptions, type CheckResult, type CheckCounterexample } from "./check";
export { searchPartition, type Budget, type Verdict, type Counterexample, type PartitionResult } from "./linearizability";
export { type History, type Operation, type ModelName, type HistoryFileV1, MODEL_NAMES, parseHistoryJson, historyToJson } from "./history";
export { HistoryParseError } from "./errors";
export { type Model, type NondeterministicModel, determinize, hashString } from "./model";
export { modelByName } from "./models/index";
export { registerModel, type RegisterInput, type RegisterOutput, type RegisterValue } from "./models/register";
export { kvModel, type KvInput, type KvOutput } from "./models/kv";
export * from "./models/etcd";
export { parseJepsenEtcd } from "./parsers/jepsen-etcd";
export { parseJepsenKv } from "./parsers/jepsen-kv";
export { checkWatches, type WatchRequest, type WatchEvent, type WatchResponse, type WatcherHistory, type StoreEvent, type WatchFilter, type WatchRule, type WatchViolation, type WatchCheckResult } from "./watch";
export { renderCheckHtml, escapeHtml } from "./html";
export { loadHistory, detectFormat, type FormatName, FORMAT_NAMES } from "./parsers/detect";

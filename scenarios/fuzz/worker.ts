// Entry point of a fuzz worker thread (bundled as dist/fuzz-worker.mjs): receives run
// indices, answers with each run's outcome. All state that matters comes from workerData,
// so any worker computes exactly what the main thread would.
import { parentPort, workerData } from "node:worker_threads";
import { fuzzRun, type ShrinkProgress } from "./driver";
import { runOptions, type WorkerInit, type WorkerReply, type WorkerRequest } from "./pool";

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("fuzz worker started outside a worker thread");
const bugs = new Set(init.bugs);

port.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const onShrink = (progress: ShrinkProgress) => port.postMessage({ type: "shrinking", progress } satisfies WorkerReply);
    const outcome = fuzzRun({ ...runOptions(init), index: request.index, bugs, onShrink });
    reply = { type: "outcome", outcome };
  } catch (error) {
    reply = { type: "error", index: request.index, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});

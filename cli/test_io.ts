// A command's IO captured in memory, for tests that run commands in-process.
import type { CommandIO } from "./command";

export function fakeIO(json: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { json, isTTY: false, out: (t) => void out.push(t), err: (t) => void err.push(t), progress: () => {}, progressDone: () => {} };
  return { io, out, err };
}

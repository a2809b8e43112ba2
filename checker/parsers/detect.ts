// Picks a history format from the file's extension and first meaningful line.
import { HistoryParseError } from "../errors";
import { parseHistoryJson, type History, type ModelName } from "../history";
import { parseJepsenEtcd } from "./jepsen-etcd";
import { parseJepsenKv } from "./jepsen-kv";

export type FormatName = "history" | "jepsen-etcd" | "jepsen-kv";
export const FORMAT_NAMES: readonly FormatName[] = ["history", "jepsen-etcd", "jepsen-kv"];

export function detectFormat(text: string, file: string): FormatName {
  const firstLine = text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  if (firstLine.startsWith("{") && /^\{\s*:/.test(firstLine)) return "jepsen-kv";
  if (firstLine.startsWith("{") || /\.json$/i.test(file)) return "history";
  if (/jepsen\.util - \d+\t:/.test(text)) return "jepsen-etcd";
  if (/\.edn$/i.test(file)) return "jepsen-kv";
  throw new HistoryParseError(file, 1, "cannot tell the format: expected raftsim history JSON, a Jepsen etcd log or Jepsen kv EDN lines (pass --format)");
}

export interface LoadedHistory {
  format: FormatName;
  model: ModelName;
  history: History;
}

/** Parses a file in `format` (detected when absent); the model defaults from the format. */
export function loadHistory(text: string, file: string, format?: FormatName): LoadedHistory {
  const f = format ?? detectFormat(text, file);
  switch (f) {
    case "history": {
      const h = parseHistoryJson(text, file);
      return { format: f, model: h.model, history: h };
    }
    case "jepsen-etcd":
      return { format: f, model: "register", history: { operations: parseJepsenEtcd(text, file) } };
    case "jepsen-kv":
      return { format: f, model: "kv", history: { operations: parseJepsenKv(text, file) } };
  }
}

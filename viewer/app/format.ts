// Small formatting helpers shared by the panels. Output is plain text; callers put it in
// the page with textContent, never as HTML.
import * as d3 from "d3";

export function fmtUs(tUs: number): string {
  if (!Number.isFinite(tUs)) return "∞";
  const ms = tUs / 1000;
  if (Math.abs(ms) < 1000) return `${ms.toFixed(ms % 1 === 0 ? 0 : 1)} ms`;
  return `${(ms / 1000).toFixed(3)} s`;
}

export function fmtValue(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const TERM_COLORS = d3.schemeTableau10;
export function termColor(term: number): string {
  return TERM_COLORS[((term % TERM_COLORS.length) + TERM_COLORS.length) % TERM_COLORS.length]!;
}

export const ROLE_COLORS: Record<string, string> = {
  follower: "#8aa4c8",
  "pre-candidate": "#f2c14e",
  candidate: "#f28e2b",
  leader: "#2ca25f",
  learner: "#b9a7d8",
  down: "#333",
};

export const OP_COLORS = { ok: "#6cc070", fail: "#e8747c", unknown: "#f6c85f" } as const;

const MSG_PALETTE = ["#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7", "#bab0ac", "#f28e2b", "#86bcb6"];
const msgColorCache = new Map<string, string>();
export function msgColor(msgType: string): string {
  let c = msgColorCache.get(msgType);
  if (!c) {
    let h = 0;
    for (let i = 0; i < msgType.length; i++) h = (h * 31 + msgType.charCodeAt(i)) >>> 0;
    c = MSG_PALETTE[h % MSG_PALETTE.length]!;
    msgColorCache.set(msgType, c);
  }
  return c;
}

/** Creates an element with text content (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

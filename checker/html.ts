// One self-contained HTML page (inline CSS, SVG and a little JS; no network) showing
// each client's operations on a timeline and the counterexample. Every string that comes
// from a history goes through escapeHtml, or through safeJsonForScript inside <script>.
import type { CheckResult } from "./check";
import type { Operation } from "./history";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON that cannot close the <script> element or open a comment inside it. */
export function safeJsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export interface HtmlOptions {
  title: string;
  /** Readable text per operation id; defaults to JSON of input/output. */
  describe?: (op: Operation) => string;
  /** Unit of call/return for the axis label, e.g. "µs" or "line". */
  timeUnit?: string;
}

const LANE_PX = 22;
const WIDTH_PX = 1100;
const LEFT_PX = 70;

export function renderCheckHtml(operations: Operation[], result: CheckResult, options: HtmlOptions): string {
  const ce = result.counterexample;
  const describe = options.describe ?? ((op: Operation) => ce?.descriptions[op.id] ?? JSON.stringify({ input: op.input, output: op.output }));
  const clients = [...new Set(operations.map((o) => o.client))].sort((a, b) => a - b);
  const lane = new Map(clients.map((c, i) => [c, i]));
  const finite = operations.flatMap((o) => (o.return === Infinity ? [o.call] : [o.call, o.return]));
  const t0 = finite.length ? Math.min(...finite) : 0;
  const t1 = finite.length ? Math.max(...finite) : 1;
  const span = Math.max(1, t1 - t0);
  const endPx = WIDTH_PX - 20;
  const x = (t: number) => LEFT_PX + ((t === Infinity ? t1 + span * 0.03 : t) - t0) / (span * 1.03) * (endPx - LEFT_PX);
  const prefixRank = new Map((ce?.linearized ?? []).map((id, i) => [id, i + 1]));
  const unplaceable = new Set(ce?.unplaceable ?? []);
  const involved = new Set(ce?.partitionOperations ?? []);
  const rects: string[] = [];
  for (const op of [...operations].sort((a, b) => a.id - b.id)) {
    const y = 24 + lane.get(op.client)! * LANE_PX;
    const x0 = x(op.call);
    const w = Math.max(2, x(op.return) - x0);
    let cls = "op";
    if (ce) {
      if (op.id === ce.blocking) cls += " blocking";
      else if (unplaceable.has(op.id)) cls += " unplaceable";
      else if (prefixRank.has(op.id)) cls += " prefix";
      else if (!involved.has(op.id)) cls += " other";
    }
    if (op.return === Infinity) cls += " open";
    const label = `#${op.id} c${op.client}: ${describe(op)}${prefixRank.has(op.id) ? ` [linearized ${prefixRank.get(op.id)}]` : ""}`;
    rects.push(`<rect class="${cls}" data-id="${op.id}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${LANE_PX - 6}" rx="3"><title>${escapeHtml(label)}</title></rect>`);
  }
  const laneLabels = clients.map((c, i) => `<text x="4" y="${24 + i * LANE_PX + 12}" class="lane">client ${escapeHtml(String(c))}</text>`).join("");
  const heightPx = 40 + clients.length * LANE_PX;
  const details = operations.map((o) => ({ id: o.id, client: o.client, call: o.call, ret: o.return === Infinity ? "∞" : o.return, text: describe(o) }));
  const verdictClass = result.verdict === "linearizable" ? "ok" : result.verdict === "unknown" ? "unknown" : "bad";
  const ceHtml = ce
    ? `<h2>Counterexample</h2>
<p>The longest linearizable prefix has ${ce.linearized.length} operation(s); after it the model state is <code>${escapeHtml(ce.state)}</code>.
Operation <b>#${ce.blocking}</b> returned before it could be linearized; none of the pending operations below can be placed next.</p>
<h3>Cannot be placed</h3><ol>${ce.unplaceable.map((id) => `<li class="${id === ce.blocking ? "blocking-t" : "unplaceable-t"}">#${id}: ${escapeHtml(ce.descriptions[id] ?? "")}</li>`).join("")}</ol>
<h3>Linearizable prefix (in order)</h3><ol>${ce.linearized.map((id) => `<li>#${id}: ${escapeHtml(ce.descriptions[id] ?? "")}</li>`).join("")}</ol>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
.ok{color:#1a7f37}.bad{color:#cf222e}.unknown{color:#9a6700}
svg{border:1px solid #ddd;background:#fafafa}
rect.op{fill:#8fb3d9;stroke:#3d6a99;cursor:pointer}
rect.prefix{fill:#9fd8a8;stroke:#1a7f37}
rect.unplaceable{fill:#f5b5a8;stroke:#cf222e}
rect.blocking{fill:#cf222e;stroke:#6e0f14}
rect.other{opacity:.35}
rect.open{stroke-dasharray:4 2}
rect.sel{stroke:#000;stroke-width:2}
text.lane{font-size:11px;fill:#555}
#detail{white-space:pre-wrap;font-family:ui-monospace,monospace;background:#f3f3f3;padding:8px;min-height:1.5em}
li.blocking-t{color:#cf222e;font-weight:bold}li.unplaceable-t{color:#a33}
code{background:#f3f3f3;padding:1px 4px;word-break:break-all}
</style></head><body>
<h1>${escapeHtml(options.title)}</h1>
<p>Verdict: <b class="${verdictClass}">${escapeHtml(result.verdict)}</b> — ${result.operations} operations, ${result.partitions} partition(s).
Legend: green = linearizable prefix, red = cannot be placed (dark: returned first), dashed = unknown outcome (open to ∞).</p>
<svg width="${WIDTH_PX}" height="${heightPx}" viewBox="0 0 ${WIDTH_PX} ${heightPx}" xmlns="http://www.w3.org/2000/svg">
<text x="${LEFT_PX}" y="14" class="lane">time (${escapeHtml(options.timeUnit ?? "µs")}) ${t0} … ${t1}</text>
${laneLabels}
${rects.join("\n")}
</svg>
<p>Click an operation:</p><div id="detail"></div>
${ceHtml}
<script>
const OPS = ${safeJsonForScript(details)};
const byId = new Map(OPS.map((o) => [o.id, o]));
let selected = null;
document.querySelector("svg").addEventListener("click", (ev) => {
  const r = ev.target.closest("rect[data-id]");
  if (!r) return;
  if (selected) selected.classList.remove("sel");
  selected = r; r.classList.add("sel");
  const o = byId.get(Number(r.dataset.id));
  document.getElementById("detail").textContent = "#" + o.id + " client " + o.client + "  call " + o.call + "  return " + o.ret + "\\n" + o.text;
});
</script>
</body></html>
`;
}

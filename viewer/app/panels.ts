// Side panels: the elections list, the checker's verdicts with the counterexample, and
// the inspector. Everything from the trace goes in as textContent, never as HTML.
import type { TraceEvent } from "../../sim/trace/types";
import { type CheckRecord, nodeStateAt, roleAt } from "../model/build";
import type { Election } from "../model/elections";
import { el, fmtUs, fmtValue } from "./format";
import type { Store, ViewState } from "./state";

export class ElectionsPanel {
  private readonly rows: { e: Election; tr: HTMLTableRowElement }[] = [];

  constructor(container: HTMLElement, store: Store) {
    container.appendChild(el("h2", `Elections (${store.model.elections.length})`));
    if (store.model.elections.length === 0) {
      container.appendChild(el("p", "No candidacy or leader in this trace.", "muted"));
      return;
    }
    const table = el("table");
    table.id = "elections";
    const head = table.createTHead().insertRow();
    for (const h of ["term", "candidates", "votes", "winner", "no leader for"]) head.appendChild(el("th", h));
    const body = table.createTBody();
    for (const e of store.model.elections) {
      const tr = body.insertRow();
      tr.dataset.term = String(e.term);
      tr.dataset.atUs = String(e.endUs ?? e.startUs);
      tr.tabIndex = 0;
      const granted = e.votes.filter((v) => v.granted);
      tr.appendChild(el("td", String(e.term)));
      tr.appendChild(el("td", e.candidates.map((c) => `n${c}`).join(" ")));
      const votes = el("td", `${granted.length}/${e.votes.length}`);
      votes.title = e.votes.map((v) => `n${v.voter}→n${v.candidate} ${v.granted ? "granted" : "rejected"} at ${fmtUs(v.tUs)}`).join("\n");
      tr.appendChild(votes);
      tr.appendChild(el("td", e.winner === null ? "none" : `n${e.winner}`, e.winner === null ? "bad" : ""));
      tr.appendChild(el("td", e.leaderlessUs === null ? "—" : fmtUs(e.leaderlessUs)));
      const jump = () => {
        store.state.selection = { kind: "election", term: e.term };
        store.setCursor(e.endUs ?? e.startUs);
      };
      tr.addEventListener("click", jump);
      tr.addEventListener("keydown", (ev) => ev.key === "Enter" && jump());
      this.rows.push({ e, tr });
    }
    container.appendChild(table);
  }

  draw(s: ViewState): void {
    // The current election: the last one that started at or before the cursor.
    let current: Election | null = null;
    for (const { e } of this.rows) if (e.startUs <= s.cursorUs) current = e;
    for (const { e, tr } of this.rows) tr.classList.toggle("current", e === current);
  }
}

export class ChecksPanel {
  constructor(container: HTMLElement, store: Store) {
    const checks = store.model.checks;
    container.appendChild(el("h2", "Checker"));
    if (checks.length === 0) {
      container.appendChild(el("p", "This trace has no check records.", "muted"));
      return;
    }
    const failed = checks.some((c) => c.result === "fail");
    const allSkipped = checks.every((c) => c.result === "skipped");
    const passed = checks.every((c) => c.result === "pass" || c.result === "skipped");
    const verdict = el("p", failed ? "FAIL: a check found a violation" : allSkipped ? "NOT CHECKED: every check was skipped" : passed ? "PASS: all checks that ran passed" : "UNKNOWN: some checks did not finish", failed ? "verdict bad" : passed && !allSkipped ? "verdict good" : "verdict");
    verdict.id = "verdict";
    container.appendChild(verdict);
    const list = el("ul");
    for (const c of checks) {
      const li = el("li");
      li.appendChild(el("span", c.result, `badge ${c.result}`));
      li.appendChild(el("span", ` ${c.check}`));
      if (c.message) li.appendChild(el("div", c.message, "muted"));
      if (c.counterexample) li.appendChild(counterexampleView(c, store));
      list.appendChild(li);
    }
    container.appendChild(list);
  }
}

function counterexampleView(c: CheckRecord, store: Store): HTMLElement {
  const cx = c.counterexample!;
  const box = el("div", undefined, "counterexample");
  const button = el("button", `Show counterexample (${cx.opIds.length} operations)`);
  button.id = "show-counterexample";
  const details = el("div");
  details.hidden = true;
  button.addEventListener("click", () => {
    store.state.highlightOpIds = new Set(cx.opIds);
    details.hidden = false;
    const first = cx.opIds.map((id) => store.model.opsById.get(id)).filter((o) => o !== undefined);
    if (first.length) {
      const startUs = Math.min(...first.map((o) => o.startUs));
      const endUs = Math.max(...first.map((o) => Math.min(o.endUs, store.model.endUs)));
      store.state.viewSpanUs = Math.max(10_000, (endUs - startUs) * 3);
      store.centerOn((startUs + endUs) / 2);
      store.state.selection = { kind: "op", opId: first[0]!.opId };
      store.setCursor(first[0]!.startUs);
    }
    store.requestRender();
  });
  box.appendChild(button);
  const ops = el("ol");
  ops.id = "counterexample-ops";
  for (const id of cx.opIds) {
    const op = store.model.opsById.get(id);
    const li = el("li", undefined, "cx-op");
    li.dataset.opId = String(id);
    li.appendChild(el("strong", `#${id}${id === cx.blocking ? " (blocking)" : ""} `));
    if (!op) {
      li.appendChild(el("span", "is not in the trace"));
      ops.appendChild(li);
      continue;
    }
    li.appendChild(el("span", `client ${op.client} · ${op.op} · ${op.status} · ${fmtUs(op.startUs)} → ${op.returnIndex === null ? "∞" : fmtUs(op.endUs)}`));
    li.appendChild(el("div", `in:  ${fmtValue(op.input)}`, "mono"));
    li.appendChild(el("div", `out: ${fmtValue(op.output)}`, "mono"));
    li.addEventListener("click", () => {
      store.state.selection = { kind: "op", opId: id };
      store.setCursor(op.startUs);
    });
    ops.appendChild(li);
  }
  details.appendChild(ops);
  details.appendChild(el("h3", "Model state before (after the longest linearizable prefix)"));
  const before = el("pre", JSON.stringify(cx.stateBefore ?? null, null, 1));
  before.id = "state-before";
  details.appendChild(before);
  details.appendChild(el("h3", "Model state after"));
  const after = el("pre", cx.stateAfter === undefined ? `no state can follow: operation #${cx.blocking ?? cx.opIds[0]} cannot be placed from the state above` : JSON.stringify(cx.stateAfter, null, 1));
  after.id = "state-after";
  details.appendChild(after);
  if (cx.linearized.length) details.appendChild(el("p", `Linearizable prefix: ${cx.linearized.length} operations (last: #${cx.linearized.slice(-5).join(", #")})`, "muted"));
  box.appendChild(details);
  return box;
}

export class Inspector {
  private readonly body: HTMLElement;
  private lastKey = "";

  constructor(
    container: HTMLElement,
    private readonly store: Store,
  ) {
    container.appendChild(el("h2", "Inspector"));
    this.body = el("div");
    this.body.id = "inspector";
    container.appendChild(this.body);
  }

  draw(s: ViewState): void {
    const sel = s.selection;
    // Node details depend on the cursor; everything else only on the selection.
    const key = sel === null ? "none" : sel.kind === "node" ? `node ${sel.node} ${s.cursorUs}` : JSON.stringify(sel);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.body.replaceChildren(...this.content(s));
  }

  private content(s: ViewState): HTMLElement[] {
    const model = this.store.model;
    const sel = s.selection;
    if (sel === null) return [el("p", "Click an event, arrow, operation or node. Press ? for keys.", "muted")];
    if (sel.kind === "node") {
      const r = roleAt(model, sel.node, s.cursorUs);
      const st = nodeStateAt(model, sel.node, s.cursorUs);
      return [
        el("h3", `node ${sel.node} at ${fmtUs(s.cursorUs)}`),
        kv({ role: r?.role ?? "—", term: st?.term ?? r?.term ?? "—", leader: r?.leader ?? "—", vote: st?.vote ?? "—", commit: st?.commit ?? "—", applied: st?.applied ?? "—", "log length": st?.logLength ?? "—", revision: st?.revision ?? "—", "state as of": st ? fmtUs(st.tUs) : "no node-state record yet" }),
      ];
    }
    if (sel.kind === "op") {
      const op = model.opsById.get(sel.opId);
      if (!op) return [el("p", `operation ${sel.opId} not found`)];
      return [el("h3", `operation #${op.opId} (client ${op.client})`), kv({ op: op.op, input: op.input, output: op.output, status: op.status, node: op.node ?? "—", invoked: fmtUs(op.startUs), returned: op.returnIndex === null ? "never (unknown)" : fmtUs(op.endUs), highlighted: s.highlightOpIds.has(op.opId) ? "in the counterexample" : "no" })];
    }
    if (sel.kind === "election") {
      const e = model.elections.find((x) => x.term === sel.term);
      if (!e) return [];
      return [
        el("h3", `election for term ${e.term}`),
        kv({ started: fmtUs(e.startUs), won: e.endUs === null ? "nobody" : `${fmtUs(e.endUs)} by n${e.winner}`, candidates: e.candidates.map((c) => `n${c}`).join(" "), "time without leader": e.leaderlessUs === null ? "—" : fmtUs(e.leaderlessUs) }),
        kv(Object.fromEntries(e.votes.map((v, i) => [`vote ${i + 1}`, `n${v.voter} → n${v.candidate}: ${v.granted ? "granted" : "rejected"} at ${fmtUs(v.tUs)}`]))),
      ];
    }
    const ev = model.events[sel.index];
    if (!ev) return [];
    return [el("h3", `${ev.type} at ${fmtUs(ev.tUs)}`), kv(eventFields(ev))];
  }
}

function eventFields(ev: TraceEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ev)) if (k !== "type") out[k] = k === "tUs" ? `${v} µs` : v;
  return out;
}

function kv(fields: Record<string, unknown>): HTMLElement {
  const table = el("table", undefined, "kv");
  for (const [k, v] of Object.entries(fields)) {
    const tr = table.insertRow();
    tr.appendChild(el("th", k));
    tr.appendChild(el("td", fmtValue(v)));
  }
  return table;
}

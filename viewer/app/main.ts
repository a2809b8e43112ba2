// Browser entry: gets the trace text (inlined by `raftsim view --out`, or fetched from
// the server of `raftsim view`), parses it here in the page, and builds the views. A
// malformed trace shows the parser's message (line and what was expected) in the page.
import { buildModel } from "../model/build";
import { TraceParseError, parseTrace } from "../model/parse";
import { ClusterGraph } from "./graph";
import { Controls } from "./controls";
import { el } from "./format";
import { Minimap } from "./minimap";
import { ChecksPanel, ElectionsPanel, Inspector } from "./panels";
import { Store } from "./state";
import { Timeline } from "./timeline";

declare global {
  interface Window {
    __RAFTSIM_TRACE__?: string;
    __RAFTSIM_TRACE_URL__?: string;
    __RAFTSIM_TRACE_NAME__?: string;
    /** For tests and the benchmark: the store and load timings. */
    __viewer?: { store: Store; loadMs: { parse: number; model: number; firstRender: number }; readyAtMs: number };
  }
}

function showError(title: string, message: string): void {
  const app = document.getElementById("app")!;
  const box = el("div");
  box.id = "error";
  box.setAttribute("role", "alert");
  box.appendChild(el("h2", title));
  box.appendChild(el("p", message));
  box.appendChild(el("p", "The viewer reads NDJSON traces: a header line {\"type\":\"header\",\"formatVersion\":1,...}, then one event per line, as written by `raftsim run --trace`.", "muted"));
  app.replaceChildren(box);
  document.body.dataset.state = "error";
}

async function loadText(): Promise<string> {
  if (typeof window.__RAFTSIM_TRACE__ === "string") return window.__RAFTSIM_TRACE__;
  const url = window.__RAFTSIM_TRACE_URL__ ?? "trace.ndjson";
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return response.text();
}

function layout(): Record<"bar" | "filters" | "lanes" | "minimap" | "graph" | "elections" | "checks" | "inspector" | "help", HTMLElement> {
  const app = document.getElementById("app")!;
  const header = el("header");
  const bar = el("div", undefined, "bar");
  header.appendChild(bar);
  const main = el("main");
  const left = el("section", undefined, "left");
  const filters = el("div", undefined, "filters");
  const lanes = el("div", undefined, "lanes");
  const minimap = el("div", undefined, "minimap");
  left.append(filters, lanes, minimap);
  const right = el("aside");
  const graph = el("section", undefined, "panel");
  graph.appendChild(el("h2", "Cluster at cursor"));
  const elections = el("section", undefined, "panel");
  const checks = el("section", undefined, "panel");
  const inspector = el("section", undefined, "panel");
  right.append(graph, checks, elections, inspector);
  main.append(left, right);
  const help = el("div");
  app.replaceChildren(header, main, help);
  return { bar, filters, lanes, minimap, graph, elections, checks, inspector, help };
}

async function start(): Promise<void> {
  const t0 = performance.now();
  let text: string;
  try {
    text = await loadText();
  } catch (error) {
    return showError("Cannot load the trace", error instanceof Error ? error.message : String(error));
  }
  const name = window.__RAFTSIM_TRACE_NAME__ ?? "trace";
  let parsed;
  try {
    parsed = parseTrace(text);
  } catch (error) {
    if (error instanceof TraceParseError) return showError("This trace is malformed", `${name}: ${error.message}`);
    throw error;
  }
  const t1 = performance.now();
  const model = buildModel(parsed);
  const t2 = performance.now();
  const store = new Store(model);
  const ui = layout();
  const title = el("span", `${model.header.scenario} · seed ${model.header.seed} · ${model.nodes.length} nodes · ${model.events.length.toLocaleString("en")} events`, "title");
  title.id = "title";
  ui.bar.appendChild(title);
  const unknown = Object.entries(model.unknownTypes);
  if (unknown.length) ui.bar.appendChild(el("span", `(skipped unknown event types: ${unknown.map(([t, n]) => `${t}×${n}`).join(", ")})`, "muted"));
  const controls = new Controls(ui.bar, ui.filters, ui.help, store);
  const timeline = new Timeline(ui.lanes, store);
  const minimap = new Minimap(ui.minimap, store);
  const graph = new ClusterGraph(ui.graph, store);
  new ChecksPanel(ui.checks, store);
  const elections = new ElectionsPanel(ui.elections, store);
  const inspector = new Inspector(ui.inspector, store);
  for (const view of [timeline, minimap, graph, elections, inspector, controls]) store.onRender((s) => view.draw(s));
  store.renderNow();
  document.body.dataset.state = "ready";
  window.__viewer = { store, loadMs: { parse: t1 - t0, model: t2 - t1, firstRender: performance.now() - t0 }, readyAtMs: performance.now() };
}

start().catch((error: unknown) => {
  console.error(error);
  showError("The viewer failed", error instanceof Error ? error.message : String(error));
});

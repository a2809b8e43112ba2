// The cluster at the cursor: nodes coloured by role with their term, the leader ringed,
// partitioned links drawn cut, messages in flight as dots along the links. elkjs lays
// the nodes out once (the membership is fixed for a trace); each frame only restyles.
import * as d3 from "d3";
import ELK from "elkjs/lib/elk.bundled.js";
import type { NodeId } from "../../sim/trace/types";
import { clusterAt } from "../model/build";
import { ROLE_COLORS, msgColor, termColor } from "./format";
import type { Store, ViewState } from "./state";

const SIZE_PX = 260;
const NODE_R = 22;
const MAX_DOTS = 300;

type Pos = { x: number; y: number };

export class ClusterGraph {
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private positions = new Map<NodeId, Pos>();
  private readonly links: { a: NodeId; b: NodeId; key: string }[] = [];

  constructor(
    container: HTMLElement,
    private readonly store: Store,
  ) {
    this.svg = d3.select(container).append("svg").attr("id", "graph").attr("viewBox", `0 0 ${SIZE_PX} ${SIZE_PX}`).attr("width", SIZE_PX).attr("height", SIZE_PX);
    const nodes = store.model.nodes;
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) this.links.push({ a: nodes[i]!, b: nodes[j]!, key: `${nodes[i]}-${nodes[j]}` });
    this.circleLayout();
    this.svg.append("g").attr("class", "links");
    this.svg.append("g").attr("class", "dots");
    this.svg.append("g").attr("class", "nodes");
    void this.elkLayout().then(() => store.requestRender());
  }

  /** Until elk answers (it is asynchronous), and if it fails, nodes sit on a circle. */
  private circleLayout(): void {
    const nodes = this.store.model.nodes;
    nodes.forEach((n, i) => {
      const a = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
      this.positions.set(n, { x: SIZE_PX / 2 + Math.cos(a) * (SIZE_PX / 2 - 40), y: SIZE_PX / 2 + Math.sin(a) * (SIZE_PX / 2 - 40) });
    });
  }

  private async elkLayout(): Promise<void> {
    const nodes = this.store.model.nodes;
    if (nodes.length < 2) return;
    try {
      const elk = new ELK();
      const graph = await elk.layout({
        id: "cluster",
        layoutOptions: { "elk.algorithm": "stress", "elk.stress.desiredEdgeLength": "120" },
        children: nodes.map((n) => ({ id: `n${n}`, width: NODE_R * 2, height: NODE_R * 2 })),
        edges: this.links.map((l) => ({ id: l.key, sources: [`n${l.a}`], targets: [`n${l.b}`] })),
      });
      const kids = graph.children ?? [];
      const xs = kids.map((k) => (k.x ?? 0) + NODE_R);
      const ys = kids.map((k) => (k.y ?? 0) + NODE_R);
      const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
      const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
      const scale = Math.min((SIZE_PX - 80) / Math.max(1, x1 - x0), (SIZE_PX - 80) / Math.max(1, y1 - y0));
      kids.forEach((k, i) => {
        this.positions.set(Number(k.id.slice(1)), {
          x: SIZE_PX / 2 + (xs[i]! - (x0 + x1) / 2) * scale,
          y: SIZE_PX / 2 + (ys[i]! - (y0 + y1) / 2) * scale,
        });
      });
    } catch (error) {
      console.warn("raftsim viewer: elk layout failed, keeping the circle layout", error);
    }
  }

  draw(s: ViewState): void {
    const model = this.store.model;
    const snap = clusterAt(model, s.cursorUs);
    const pos = (n: NodeId) => this.positions.get(n) ?? { x: 0, y: 0 };
    this.svg
      .select("g.links")
      .selectAll<SVGGElement, (typeof this.links)[number]>("g.link")
      .data(this.links, (d) => d.key)
      .join((enter) => {
        const g = enter.append("g").attr("class", "link");
        g.append("line").attr("class", "half-a");
        g.append("line").attr("class", "half-b");
        return g;
      })
      .each(function (d) {
        const a = pos(d.a);
        const b = pos(d.b);
        const cut = snap.cuts.get(d.key);
        const g = d3.select(this).attr("data-cut", cut ? "1" : "0");
        // A cut link is drawn as two halves with a gap in the middle.
        const gap = cut ? 0.12 : 0;
        const mx = (a.x + b.x) / 2;
        const my = (a.y + b.y) / 2;
        g.select("line.half-a").attr("x1", a.x).attr("y1", a.y).attr("x2", mx - (b.x - a.x) * gap).attr("y2", my - (b.y - a.y) * gap);
        g.select("line.half-b").attr("x1", mx + (b.x - a.x) * gap).attr("y1", my + (b.y - a.y) * gap).attr("x2", b.x).attr("y2", b.y);
        g.selectAll("line").attr("stroke", cut ? "#d62728" : "#c7cdd6").attr("stroke-width", cut ? 2 : 1.5).attr("stroke-dasharray", cut ? "4 3" : null);
      });
    // Messages in flight at the cursor.
    const dots: { key: number; x: number; y: number; color: string; dropped: boolean }[] = [];
    model.messages.forEachOverlapping(s.cursorUs, s.cursorUs, (m) => {
      if (dots.length >= MAX_DOTS || s.hiddenMsgTypes.has(m.msgType) || m.startUs > s.cursorUs || m.endUs <= s.cursorUs) return;
      const a = pos(m.from);
      const b = pos(m.to);
      const f = (s.cursorUs - m.startUs) / Math.max(1, m.endUs - m.startUs);
      dots.push({ key: m.msgId, x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, color: m.status === "dropped" ? "#d62728" : msgColor(m.msgType), dropped: m.status === "dropped" });
    });
    this.svg
      .select("g.dots")
      .selectAll<SVGCircleElement, (typeof dots)[number]>("circle")
      .data(dots, (d) => d.key)
      .join("circle")
      .attr("r", 4)
      .attr("cx", (d) => d.x)
      .attr("cy", (d) => d.y)
      .attr("fill", (d) => d.color)
      .attr("stroke", (d) => (d.dropped ? "#000" : "none"));
    const store = this.store;
    this.svg
      .select("g.nodes")
      .selectAll<SVGGElement, (typeof snap.nodes)[number]>("g.node")
      .data(snap.nodes, (d) => d.node)
      .join((enter) => {
        const g = enter.append("g").attr("class", "node").style("cursor", "pointer");
        g.append("circle").attr("class", "ring").attr("r", NODE_R + 5).attr("fill", "none");
        g.append("circle").attr("class", "body").attr("r", NODE_R);
        g.append("text").attr("class", "name").attr("text-anchor", "middle").attr("dy", -2).attr("font-size", 12).attr("font-weight", "bold");
        g.append("text").attr("class", "term").attr("text-anchor", "middle").attr("dy", 12).attr("font-size", 10);
        g.on("click", (_e, d) => {
          store.state.selection = { kind: "node", node: d.node };
          store.requestRender();
        });
        return g;
      })
      .attr("transform", (d) => `translate(${pos(d.node).x},${pos(d.node).y})`)
      .attr("data-role", (d) => d.role)
      .each(function (d) {
        const g = d3.select(this);
        g.select("circle.body").attr("fill", ROLE_COLORS[d.role] ?? "#ccc").attr("stroke", termColor(d.term)).attr("stroke-width", 3).attr("opacity", d.paused ? 0.45 : 1);
        g.select("circle.ring").attr("stroke", d.leaderOf ? "#1b7f3b" : "none").attr("stroke-width", 3);
        g.select("text.name").text(`n${d.node}${d.leaderOf ? " ★" : ""}`).attr("fill", d.crashed ? "#fff" : "#111");
        g.select("text.term").text(d.crashed ? "down" : `${d.paused ? "paused " : ""}t${d.term}`).attr("fill", d.crashed ? "#fff" : "#111");
      });
  }
}

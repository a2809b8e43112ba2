// Timeline: one lane per node (role bands coloured by term, faults), one lane per client
// (operations coloured by outcome) and messages as space-time arrows between lanes.
// Drawn on a canvas and only for the visible window: a 100k-event trace redraws per frame.
import * as d3 from "d3";
import type { NodeId } from "../../sim/trace/types";
import type { ClientOp, Message, TraceModel } from "../model/build";
import { upperBound } from "../model/intervals";
import { OP_COLORS, ROLE_COLORS, fmtUs, msgColor, termColor } from "./format";
import type { Store, ViewState } from "./state";

const GUTTER_PX = 64;
const AXIS_PX = 22;
const NODE_LANE_PX = 34;
const GAP_PX = 16;
const ROLE_HEIGHT: Record<string, number> = { follower: 0.3, learner: 0.3, "pre-candidate": 0.5, candidate: 0.65, leader: 0.95 };
/** Above this many visible arrows, arrowheads are skipped (they cost more than the lines). */
const MAX_HEADS = 1500;

export class Timeline {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private widthPx = 800;
  private heightPx = 300;
  private clientLanePx = 18;
  private readonly nodeRow = new Map<NodeId, number>();
  private readonly clientRow = new Map<number, number>();
  /** What the last frame drew, for hit-testing clicks. */
  private drawnMessages: Message[] = [];
  private drawnOps: ClientOp[] = [];
  /** The lanes' role labels, drawn last (see drawRoleLabels). */
  private roleLabels: { text: string; x: number; y: number }[] = [];
  /** Set by a drag-to-pan, so the click that ends it does not also select. */
  private dragged = false;

  constructor(
    container: HTMLElement,
    private readonly store: Store,
  ) {
    const model = store.model;
    this.canvas = document.createElement("canvas");
    this.canvas.id = "timeline";
    container.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d")!;
    model.nodes.forEach((n, i) => this.nodeRow.set(n, i));
    model.clientLanes.forEach((lane, i) => lane.ids.forEach((c) => this.clientRow.set(c, i)));
    this.clientLanePx = Math.max(6, Math.min(18, Math.floor(240 / Math.max(1, model.clientLanes.length))));
    this.resize();
    new ResizeObserver(() => {
      this.resize();
      store.requestRender();
    }).observe(container);
    this.canvas.addEventListener("click", (e) => this.onClick(e));
    this.canvas.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    this.installDrag();
  }

  private get lanesHeightPx(): number {
    const m = this.store.model;
    return AXIS_PX + m.nodes.length * NODE_LANE_PX + GAP_PX + m.clientLanes.length * this.clientLanePx + 6;
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    this.widthPx = Math.max(200, this.canvas.parentElement!.clientWidth);
    this.heightPx = this.lanesHeightPx;
    this.canvas.width = Math.round(this.widthPx * dpr);
    this.canvas.height = Math.round(this.heightPx * dpr);
    this.canvas.style.width = `${this.widthPx}px`;
    this.canvas.style.height = `${this.heightPx}px`;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  private xOf(tUs: number, s: ViewState): number {
    return GUTTER_PX + ((tUs - s.viewStartUs) / s.viewSpanUs) * (this.widthPx - GUTTER_PX - 8);
  }

  private tOf(x: number, s: ViewState): number {
    return s.viewStartUs + ((x - GUTTER_PX) / (this.widthPx - GUTTER_PX - 8)) * s.viewSpanUs;
  }

  nodeLaneY(node: NodeId): number {
    return AXIS_PX + (this.nodeRow.get(node) ?? 0) * NODE_LANE_PX;
  }

  /** Middle of the lane a message endpoint has: a member's node lane, or else its client lane. */
  private endpointMidY(id: NodeId): number {
    if (this.nodeRow.has(id)) return this.nodeLaneY(id) + NODE_LANE_PX / 2;
    return this.clientLaneY(id) + this.clientLanePx / 2;
  }

  private clientLaneY(client: number): number {
    return AXIS_PX + this.store.model.nodes.length * NODE_LANE_PX + GAP_PX + (this.clientRow.get(client) ?? 0) * this.clientLanePx;
  }

  draw(s: ViewState): void {
    const { ctx, store } = this;
    const model = store.model;
    const fromUs = s.viewStartUs;
    const toUs = s.viewStartUs + s.viewSpanUs;
    const right = this.widthPx - 8;
    ctx.clearRect(0, 0, this.widthPx, this.heightPx);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, this.widthPx, this.heightPx);
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER_PX, 0, right - GUTTER_PX, this.heightPx);
    ctx.clip();
    this.drawAxis(s);
    this.drawNodeLanes(model, s, fromUs, toUs);
    this.drawClientLanes(model, s, fromUs, toUs);
    this.drawMessages(model, s, fromUs, toUs);
    this.drawRoleLabels();
    // Cursor.
    const cx = this.xOf(s.cursorUs, s);
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(cx, AXIS_PX - 6);
    ctx.lineTo(cx, this.heightPx);
    ctx.stroke();
    ctx.restore();
    this.drawGutter(model);
  }

  private drawAxis(s: ViewState): void {
    const { ctx } = this;
    const scale = d3.scaleLinear().domain([s.viewStartUs, s.viewStartUs + s.viewSpanUs]).range([GUTTER_PX, this.widthPx - 8]);
    ctx.fillStyle = "#555";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.strokeStyle = "#eee";
    ctx.lineWidth = 1;
    for (const t of scale.ticks(8)) {
      const x = Math.round(scale(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, AXIS_PX - 4);
      ctx.lineTo(x, this.heightPx);
      ctx.stroke();
      ctx.fillText(fmtUs(t), x, 12);
    }
    // Elections won inside the window: a small green marker on the axis.
    ctx.fillStyle = ROLE_COLORS.leader!;
    for (const e of this.store.model.elections) {
      if (e.endUs === null || e.endUs < s.viewStartUs || e.endUs > s.viewStartUs + s.viewSpanUs) continue;
      const x = this.xOf(e.endUs, s);
      ctx.beginPath();
      ctx.moveTo(x - 5, AXIS_PX - 8);
      ctx.lineTo(x + 5, AXIS_PX - 8);
      ctx.lineTo(x, AXIS_PX - 1);
      ctx.fill();
    }
  }

  /**
   * Role labels go on top of the message arrows, each on a pale backdrop: in a busy stretch
   * (an election's votes, a burst of appends) the arrows would otherwise strike them out.
   */
  private drawRoleLabels(): void {
    const { ctx } = this;
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "left";
    for (const { text, x, y } of this.roleLabels) {
      const width = ctx.measureText(text).width;
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
      ctx.fillRect(x - 2, y - 9, width + 4, 12);
      ctx.fillStyle = "#111";
      ctx.fillText(text, x, y);
    }
    this.roleLabels = [];
  }

  private drawNodeLanes(model: TraceModel, s: ViewState, fromUs: number, toUs: number): void {
    const { ctx } = this;
    this.roleLabels = [];
    const right = this.widthPx - 8;
    for (const node of model.nodes) {
      const y = this.nodeLaneY(node);
      ctx.fillStyle = (this.nodeRow.get(node)! % 2) ? "#fafafa" : "#f3f5f8";
      ctx.fillRect(GUTTER_PX, y, right - GUTTER_PX, NODE_LANE_PX);
      const list = model.roles.get(node) ?? [];
      let i = Math.max(0, upperBound(list, fromUs, (r) => r.startUs) - 1);
      for (; i < list.length && list[i]!.startUs <= toUs; i++) {
        const r = list[i]!;
        const x0 = Math.max(GUTTER_PX, this.xOf(r.startUs, s));
        const x1 = Math.min(right, this.xOf(r.endUs, s));
        if (x1 <= x0 - 0.5) continue;
        const h = (NODE_LANE_PX - 4) * (ROLE_HEIGHT[r.role] ?? 0.3);
        ctx.fillStyle = termColor(r.term);
        ctx.globalAlpha = r.role === "leader" ? 0.9 : 0.6;
        ctx.fillRect(x0, y + NODE_LANE_PX - 2 - h, Math.max(1, x1 - x0), h);
        ctx.globalAlpha = 1;
        if (x1 - x0 > 46) this.roleLabels.push({ text: `${r.role === "leader" ? "LEADER" : r.role} t${r.term}`, x: x0 + 3, y: y + 11 });
      }
    }
    // Faults over the lanes.
    model.faultIndex.forEachOverlapping(fromUs, toUs, (w) => {
      const x0 = Math.max(GUTTER_PX, this.xOf(w.startUs, s));
      const x1 = Math.min(right, this.xOf(w.endUs, s));
      const width = Math.max(2, x1 - x0);
      const affected = w.kind === "partition" && w.groups ? (w.groups.find((g) => g.length <= model.nodes.length / 2) ?? w.nodes) : w.nodes;
      for (const node of affected) {
        if (!this.nodeRow.has(node)) continue;
        const y = this.nodeLaneY(node);
        switch (w.kind) {
          case "crash":
            ctx.fillStyle = "rgba(30,30,30,0.85)";
            ctx.fillRect(x0, y + 2, width, NODE_LANE_PX - 4);
            ctx.fillStyle = "#fff";
            if (width > 50) ctx.fillText("crashed", x0 + 4, y + 20);
            break;
          case "pause":
            ctx.fillStyle = "rgba(120,120,120,0.45)";
            ctx.fillRect(x0, y + 2, width, NODE_LANE_PX - 4);
            ctx.fillStyle = "#222";
            if (width > 50) ctx.fillText("paused", x0 + 4, y + 20);
            break;
          case "disk":
            ctx.fillStyle = "#ff7f0e";
            ctx.fillRect(x0, y + NODE_LANE_PX - 5, width, 4);
            if (width > 60) ctx.fillText("slow disk", x0 + 4, y + NODE_LANE_PX - 7);
            break;
          case "partition":
          case "clog":
            ctx.fillStyle = w.kind === "partition" ? "#d62728" : "#9467bd";
            ctx.fillRect(x0, y + 1, width, 4);
            if (width > 60) ctx.fillText(w.kind === "partition" ? "partitioned" : "clogged", x0 + 4, y + 23);
            break;
          default:
            ctx.fillStyle = "#7f7f7f";
            ctx.fillRect(x0 - 1, y, 2, NODE_LANE_PX);
        }
      }
    });
  }

  private drawClientLanes(model: TraceModel, s: ViewState, fromUs: number, toUs: number): void {
    const { ctx } = this;
    const right = this.widthPx - 8;
    const h = this.clientLanePx;
    model.clientLanes.forEach((lane, i) => {
      ctx.fillStyle = i % 2 ? "#fbfbfb" : "#f5f5f5";
      ctx.fillRect(GUTTER_PX, this.clientLaneY(lane.ids[0]!), right - GUTTER_PX, h);
    });
    this.drawnOps = model.ops.overlapping(fromUs, toUs);
    const highlighted: ClientOp[] = [];
    ctx.font = `${Math.min(10, h - 6)}px system-ui, sans-serif`;
    ctx.textAlign = "left";
    for (const op of this.drawnOps) {
      const x0 = Math.max(GUTTER_PX, this.xOf(op.startUs, s));
      const x1 = Math.min(right, this.xOf(op.endUs, s));
      const y = this.clientLaneY(op.client) + 2;
      ctx.fillStyle = OP_COLORS[op.status];
      ctx.fillRect(x0, y, Math.max(1.5, x1 - x0), h - 4);
      if (s.highlightOpIds.has(op.opId)) highlighted.push(op);
      if (x1 - x0 > 40 && h >= 12) {
        ctx.fillStyle = "#222";
        ctx.fillText(`${op.op} ${opKey(op)}`.slice(0, Math.floor((x1 - x0) / 6)), x0 + 2, y + h - 7);
      }
    }
    ctx.strokeStyle = "#c2185b";
    ctx.lineWidth = 3;
    for (const op of highlighted) {
      const x0 = Math.max(GUTTER_PX, this.xOf(op.startUs, s));
      const x1 = Math.min(right, this.xOf(op.endUs, s));
      ctx.strokeRect(x0 - 1, this.clientLaneY(op.client) + 1, Math.max(3, x1 - x0 + 2), h - 2);
    }
  }

  private drawMessages(model: TraceModel, s: ViewState, fromUs: number, toUs: number): void {
    const { ctx } = this;
    const byColor = new Map<string, Message[]>();
    const dropped: Message[] = [];
    const drawn: Message[] = [];
    model.messages.forEachOverlapping(fromUs, toUs, (m) => {
      if (s.hiddenMsgTypes.has(m.msgType)) return;
      drawn.push(m);
      if (m.status === "dropped") return void dropped.push(m);
      const color = msgColor(m.msgType);
      let list = byColor.get(color);
      if (!list) byColor.set(color, (list = []));
      list.push(m);
    });
    this.drawnMessages = drawn;
    const heads = drawn.length <= MAX_HEADS;
    ctx.lineWidth = 1;
    for (const [color, list] of byColor) {
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.beginPath();
      for (const m of list) {
        const x0 = this.xOf(m.startUs, s);
        const y0 = this.endpointMidY(m.from);
        const x1 = this.xOf(m.endUs, s);
        const y1 = this.endpointMidY(m.to);
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        if (heads) arrowHead(ctx, x0, y0, x1, y1);
      }
      ctx.stroke();
    }
    // Dropped: a red line to where it died, and a cross.
    ctx.strokeStyle = "#d62728";
    ctx.beginPath();
    for (const m of dropped) {
      const x0 = this.xOf(m.startUs, s);
      const y0 = this.endpointMidY(m.from);
      const x1 = this.xOf(m.endUs, s);
      const y1 = this.endpointMidY(m.to);
      const xm = x0 + (x1 - x0) * 0.6;
      const ym = y0 + (y1 - y0) * 0.6;
      ctx.moveTo(x0, y0);
      ctx.lineTo(xm, ym);
      ctx.moveTo(xm - 3, ym - 3);
      ctx.lineTo(xm + 3, ym + 3);
      ctx.moveTo(xm + 3, ym - 3);
      ctx.lineTo(xm - 3, ym + 3);
    }
    ctx.stroke();
  }

  private drawGutter(model: TraceModel): void {
    const { ctx } = this;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, GUTTER_PX, this.heightPx);
    ctx.fillStyle = "#222";
    ctx.textAlign = "right";
    ctx.font = "bold 12px system-ui, sans-serif";
    // Labels squeeze (fillText's maxWidth) rather than run off the gutter's left edge.
    for (const node of model.nodes) ctx.fillText(`node ${node}`, GUTTER_PX - 6, this.nodeLaneY(node) + NODE_LANE_PX / 2 + 4, GUTTER_PX - 8);
    ctx.font = `${Math.min(11, this.clientLanePx - 2)}px system-ui, sans-serif`;
    if (this.clientLanePx >= 9) for (const lane of model.clientLanes) ctx.fillText(lane.label, GUTTER_PX - 6, this.clientLaneY(lane.ids[0]!) + this.clientLanePx - 5, GUTTER_PX - 8);
  }

  private onClick(e: MouseEvent): void {
    if (this.dragged) return void (this.dragged = false);
    const s = this.store.state;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    if (x < GUTTER_PX) {
      const node = this.store.model.nodes.find((n) => y >= this.nodeLaneY(n) && y < this.nodeLaneY(n) + NODE_LANE_PX);
      if (node !== undefined) s.selection = { kind: "node", node };
      this.store.requestRender();
      return;
    }
    const tUs = this.tOf(x, s);
    // An operation under the pointer?
    const op = this.drawnOps.find((o) => y >= this.clientLaneY(o.client) && y < this.clientLaneY(o.client) + this.clientLanePx && this.xOf(o.startUs, s) - 2 <= x && x <= this.xOf(o.endUs, s) + 2);
    if (op) {
      s.selection = { kind: "op", opId: op.opId };
      return this.store.setCursor(tUs);
    }
    // The nearest drawn message arrow within 5 px?
    let best: Message | null = null;
    let bestDist = 5;
    for (const m of this.drawnMessages) {
      const d = segmentDistance(x, y, this.xOf(m.startUs, s), this.endpointMidY(m.from), this.xOf(m.endUs, s), this.endpointMidY(m.to));
      if (d < bestDist) {
        bestDist = d;
        best = m;
      }
    }
    if (best) s.selection = { kind: "event", index: best.sendIndex };
    else {
      const node = this.store.model.nodes.find((n) => y >= this.nodeLaneY(n) && y < this.nodeLaneY(n) + NODE_LANE_PX);
      if (node !== undefined) s.selection = { kind: "node", node };
    }
    this.store.setCursor(tUs);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const s = this.store.state;
    const rect = this.canvas.getBoundingClientRect();
    const anchorUs = this.tOf(e.clientX - rect.left, s);
    const total = this.store.model.endUs - this.store.model.startUs;
    if (e.shiftKey) {
      s.viewStartUs += (e.deltaY / 500) * s.viewSpanUs;
    } else {
      const factor = Math.exp(e.deltaY / 400);
      const span = Math.max(1_000, Math.min(total, s.viewSpanUs * factor));
      s.viewStartUs = anchorUs - ((anchorUs - s.viewStartUs) / s.viewSpanUs) * span;
      s.viewSpanUs = span;
    }
    s.viewStartUs = Math.max(this.store.model.startUs, Math.min(this.store.model.endUs - s.viewSpanUs, s.viewStartUs));
    this.store.requestRender();
  }

  /** Dragging on the timeline pans it (a click without movement selects, above). */
  private installDrag(): void {
    let startX: number | null = null;
    let startViewUs = 0;
    this.canvas.addEventListener("pointerdown", (e) => {
      startX = e.clientX;
      this.dragged = false;
      startViewUs = this.store.state.viewStartUs;
    });
    window.addEventListener("pointerup", () => (startX = null));
    this.canvas.addEventListener("pointermove", (e) => {
      if (startX === null || Math.abs(e.clientX - startX) < 4) return;
      this.dragged = true;
      const s = this.store.state;
      const perPx = s.viewSpanUs / (this.widthPx - GUTTER_PX - 8);
      s.viewStartUs = Math.max(this.store.model.startUs, Math.min(this.store.model.endUs - s.viewSpanUs, startViewUs - (e.clientX - startX) * perPx));
      this.store.requestRender();
    });
  }
}

function opKey(op: ClientOp): string {
  const input = op.input as { key?: unknown } | null;
  return input && typeof input === "object" && typeof input.key === "string" ? input.key : "";
}

function arrowHead(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const size = 5;
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - size * Math.cos(angle - 0.45), y1 - size * Math.sin(angle - 0.45));
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - size * Math.cos(angle + 0.45), y1 - size * Math.sin(angle + 0.45));
}

function segmentDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

// Turns a scenario's fault plan into timed actions on the world. Node selectors such as
// "leader" are resolved when the fault fires, from the system's own view.
import { unreachable } from "../core/assert";
import type { Rng } from "../sim/rng";
import type { SystemUnderTest } from "../sim/system";
import type { NodeId, TraceEvent } from "../sim/trace/types";
import type { World } from "../sim/world";
import type { CrashTrigger, FaultStep, NodeSelector } from "./types";

const MS = 1_000;
/** How long a reordered message is held back at most, unless a link-faults step says. */
export const REORDER_DELAY_MAX_MS_DEFAULT = 5;
/** An add-member step's promotion is tried at most this many times (250 ms apart). */
export const PROMOTE_ATTEMPTS_MAX = 4;

export function currentLeader(world: World, system: SystemUnderTest): NodeId | undefined {
  let best: { id: NodeId; term: number } | undefined;
  for (const id of world.allEndpoints()) {
    if (world.node(id).status !== "up") continue;
    const v = system.view(id);
    if (v?.role === "leader" && (!best || v.term > best.term)) best = { id, term: v.term };
  }
  return best?.id;
}

export function resolveNode(sel: NodeSelector, world: World, system: SystemUnderTest, rng: Rng): NodeId {
  const all = world.allEndpoints();
  if (typeof sel === "number") return sel;
  const up = all.filter((id) => world.node(id).status === "up");
  const pool = up.length > 0 ? up : all;
  const leader = currentLeader(world, system);
  switch (sel) {
    case "leader":
      return leader ?? pool[0]!;
    case "follower": {
      const followers = pool.filter((id) => id !== leader);
      return followers.length > 0 ? rng.pick(followers) : pool[0]!;
    }
    case "random":
      return rng.pick(pool);
    default:
      return unreachable(sel, "node selector");
  }
}

/**
 * Each step draws its random choices (a "random" node, crash-after's delays) from a stream
 * of its own, named by the step itself: removing one step while shrinking leaves every
 * other step's choices as they were, so a failure does not vanish for an unrelated reason.
 */
export function scheduleFaults(world: World, system: SystemUnderTest, faults: FaultStep[]): void {
  for (const step of faults) {
    const rng = world.streams.stream(`fault:${JSON.stringify(step)}`);
    world.scheduler.at(step.atMs * MS, () => applyFault(world, system, step, rng));
  }
}

export function applyFault(world: World, system: SystemUnderTest, step: FaultStep, rng: Rng): void {
  const node = (sel: NodeSelector) => resolveNode(sel, world, system, rng);
  switch (step.type) {
    case "partition":
      return world.partition(step.groups);
    case "isolate":
      return world.isolate(node(step.node));
    case "cut-one-way":
      return world.cutOneWay(node(step.from), node(step.to));
    case "clog":
      return world.clog(node(step.a), node(step.b), step.durationMs * MS);
    case "heal":
      return world.heal();
    case "link-faults":
      return world.setLinkFaults(step.loss, step.duplicate, step.reorder, (step.delayMaxMs ?? REORDER_DELAY_MAX_MS_DEFAULT) * MS);
    case "crash":
      return world.crash(node(step.node), step.tear ? "tear-last" : "drop-unsynced");
    case "crash-after":
      return armCrashAfter(world, step.node === "any" ? undefined : node(step.node), step.on, step.tear === true, step.times ?? 1, rng);
    case "restart":
      if (step.node === "all-down") {
        for (const id of world.allEndpoints()) if (world.node(id).status === "down") world.restart(id);
        system.startUnansweredAdds?.();
        return;
      }
      return world.restart(node(step.node));
    case "pause":
      return world.pause(node(step.node));
    case "resume":
      if (step.node === "all-paused") {
        for (const id of world.allEndpoints()) if (world.node(id).status === "paused") world.resume(id);
        return;
      }
      return world.resume(node(step.node));
    case "slow-fsync":
      return world.slowFsync(node(step.node), step.factor, step.addMs * MS, step.durationMs * MS);
    case "disk-stall": {
      const id = node(step.node);
      world.stallDisk(id);
      world.scheduler.after(step.durationMs * MS, () => world.releaseDisk(id));
      return;
    }
    case "fsync-error":
      return world.failFsyncs(node(step.node), step.count);
    case "clock-jump":
      return world.clockJump(node(step.node), step.deltaMs * MS);
    case "clock-drift":
      return world.clockDrift(node(step.node), step.ppm);
    case "clock-skew":
      return world.clockSkew(node(step.node), step.ppm, step.durationMs * MS);
    case "add-member": {
      world.record({ tUs: world.nowUs, type: "fault", fault: "add-member", nodes: [], detail: step.learner ? "learner" : "voter" });
      const id = system.addMember?.(step.learner ?? false);
      // An operator's usual sequence: add a learner, let it catch up, then promote it.
      if (id !== undefined && step.learner && step.promoteAfterMs !== undefined) {
        world.scheduler.after(step.promoteAfterMs * MS, () => {
          world.record({ tUs: world.nowUs, type: "fault", fault: "promote-learner", nodes: [id] });
          system.promoteLearner?.(id, PROMOTE_ATTEMPTS_MAX);
        });
      }
      return;
    }
    case "remove-member": {
      const id = node(step.node);
      world.record({ tUs: world.nowUs, type: "fault", fault: "remove-member", nodes: [id] });
      system.removeMember?.(id);
      return;
    }
    case "promote-learner":
      world.record({ tUs: world.nowUs, type: "fault", fault: "promote-learner", nodes: [] });
      system.promoteLearner?.();
      return;
    case "transfer-leader": {
      const to = step.to === undefined ? undefined : node(step.to);
      world.record({ tUs: world.nowUs, type: "fault", fault: "transfer-leader", nodes: to === undefined ? [] : [to] });
      system.transferLeader?.(to);
      return;
    }
    case "compact":
      world.record({ tUs: world.nowUs, type: "fault", fault: "compact", nodes: [] });
      system.compact?.();
      return;
    case "snapshot": {
      const id = node(step.node);
      world.record({ tUs: world.nowUs, type: "fault", fault: "snapshot", nodes: [id] });
      system.snapshot?.(id);
      return;
    }
    case "snapshot-save-restore": {
      const id = node(step.node);
      world.record({ tUs: world.nowUs, type: "fault", fault: "snapshot-save-restore", nodes: [id] });
      system.snapshotSaveRestore?.(id);
      return;
    }
    default:
      return unreachable(step, "fault step");
  }
}

/**
 * Crashes `only` (or any member, when undefined) right after the next vote it grants
 * ("vote"), append it acknowledges ("ack") or advance of its commit index ("commit"): the
 * moments durability bugs show, since the message may be out before its fsync is done, and
 * what applying a commit writes (the backend, a host's own records) may not be synced yet.
 * The process comes back 1–40 ms later. `times` shots per step.
 */
function armCrashAfter(world: World, only: NodeId | undefined, on: CrashTrigger, tear: boolean, times: number, rng: Rng): void {
  let left = times;
  let crashPending = false;
  world.trace.observe((e) => {
    // One crash at a time: a trigger while one is about to happen is the same moment.
    if (left <= 0 || crashPending || world.faultsEnded) return;
    const id = crashTriggerNode(on, e);
    if (id === undefined || (only !== undefined && id !== only) || world.node(id).status !== "up") return;
    crashPending = true;
    world.scheduler.after(rng.int(0, 400), () => {
      crashPending = false;
      if (world.node(id).status !== "up" || world.faultsEnded) return;
      left--;
      world.crash(id, tear ? "tear-last" : "drop-unsynced");
      world.scheduler.after(rng.int(1 * MS, 40 * MS), () => {
        if (world.node(id).status === "down") world.restart(id);
      });
    });
  });
}

/** The node whose event `e` is, if it is one `on` waits for. */
function crashTriggerNode(on: CrashTrigger, e: TraceEvent): NodeId | undefined {
  switch (on) {
    case "vote":
      return e.type === "vote" && e.granted ? e.node : undefined;
    case "ack":
      return e.type === "send" && e.msgType === "app-resp" ? e.from : undefined;
    case "commit":
      return e.type === "commit" ? e.node : undefined;
  }
}

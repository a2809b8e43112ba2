// A placeholder protocol that proves the world works end to end until the Raft host
// replaces it: each node bumps a counter every tick, persists it with fsync, and only
// then gossips it; receivers keep the maximum. Traced messages, fsyncs, crashes, partitions.
import type { NodeContext, NodeProgram } from "../process";
import type { NodeId } from "../trace/types";

const FILE = "counter";

export function gossipProgram(peers: NodeId[], tickUs: number): (ctx: NodeContext) => NodeProgram {
  return (ctx) => {
    const decoded = new TextDecoder().decode(ctx.disk.read(FILE));
    let counter = decoded === "" ? 0 : Number(decoded);
    let syncing = false;
    const tick = () => {
      if (!syncing) {
        counter++;
        syncing = true;
        const value = counter;
        ctx.disk.write(FILE, new TextEncoder().encode(String(value)), "replace");
        ctx.disk.fsync(FILE, (ok) => {
          syncing = false;
          if (!ok) return ctx.fail("fsync failed");
          for (const p of peers) if (p !== ctx.id) ctx.send(p, "gossip", value, { bytes: 8 });
        });
      }
      ctx.setTimer(tickUs, tick);
    };
    ctx.setTimer(ctx.rng("tick").int(0, tickUs), tick);
    return {
      onMessage(_from, msgType, payload) {
        if (msgType === "gossip" && typeof payload === "number" && payload > counter) counter = payload;
      },
    };
  };
}

// The placeholder system: the gossip protocol has no leader and no membership API.
import type { SystemUnderTest } from "../system";
import type { NodeId } from "../trace/types";
import { gossipProgram } from "./gossip";

export function gossipSystem(nodeIds: NodeId[], tickUs: number): SystemUnderTest {
  const program = gossipProgram(nodeIds, tickUs);
  return { name: "gossip", factory: () => program, view: () => undefined };
}

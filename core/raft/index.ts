// Public surface of the Raft core.
export { RawNode } from "./rawnode";
export type { Ready, Status } from "./rawnode";
export type { RaftConfig, RaftStorage, ReadOnlyOption } from "./config";
export type { ProposeResult } from "./raft";
export { encodeConfChange, decodeConfChange, applyConfChange, isVoter, isJoint, allMembers } from "./confchange";
export * from "./types";

// A small simulated etcd cluster and one client for end-to-end tests: each request goes
// through the client protocol to a member, and the world runs until the answer.
import { expect } from "vitest";
import { worldClientTransport } from "../client_transport";
import { NO_BUGS } from "../../core/canary";
import { MSG_CLIENT_RESPONSE, type ClientRequest, type ClientResponse, type ClientResponseMsg } from "../../core/client/protocol";
import { ClientSession, type Outcome } from "../../core/client/session";
import { isError, type AdminSuccess, type EtcdSuccess } from "../../core/server/api";
import { diskProfile, networkProfile, World } from "../world";
import { EtcdSystem, type EtcdSystemOptions } from "./system";

export const MS = 1_000;
const TEST_CLIENT_ID = 90;

export function cluster(nodes = 3, seed = 7, options: Partial<EtcdSystemOptions> = {}) {
  const nodeIds = Array.from({ length: nodes }, (_, i) => i + 1);
  const system = new EtcdSystem({ voters: nodeIds, tickUs: 100 * MS, raft: { electionTicks: 10, heartbeatTicks: 1, preVote: true, checkQuorum: true }, bugs: NO_BUGS, snapshotEntries: 10_000, ...options });
  const world = new World({ seed, scenario: "admin-test", nodeIds, disk: diskProfile("ssd"), network: networkProfile("lan"), config: {}, keepTrace: true }, (ctx) => system.factory(ctx.id)(ctx));
  system.attach(world);
  world.startAll();
  let session: ClientSession | undefined;
  world.network.register(TEST_CLIENT_ID, (from, msgType, payload) => {
    if (msgType === MSG_CLIENT_RESPONSE) session?.onResponse(from, payload as ClientResponseMsg);
  });
  const leader = (): number => {
    for (let i = 0; i < 100 && !system.leader(); i++) world.scheduler.runUntil(world.nowUs + 100 * MS);
    const l = system.leader();
    expect(l, "a leader is elected").toBeDefined();
    return l!.id;
  };
  /** Sends one request to `member` and runs the world until the answer. */
  const ask = (member: number, request: ClientRequest): Outcome<ClientResponse> => {
    // One session throughout: members drop request ids they have already seen from a client.
    session ??= new ClientSession(TEST_CLIENT_ID, [member], worldClientTransport(world, TEST_CLIENT_ID), 5_000 * MS, world.streams.stream("test-client"));
    // Ask `member` first; a "not leader" answer sends the session on to the leader.
    session.setMembers(world.allEndpoints(), member);
    expect(session.member).toBe(member);
    let outcome: Outcome<ClientResponse> | undefined;
    session.request(request as never, (o: Outcome<ClientResponse>) => (outcome = o));
    for (let i = 0; i < 1_000 && !outcome; i++) world.scheduler.runUntil(world.nowUs + 10 * MS);
    expect(outcome, `an answer to ${request.type}`).toBeDefined();
    return outcome!;
  };
  /** The successful response (the test fails otherwise); loosely typed: each test reads the fields of its request's type. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ok = (member: number, request: ClientRequest): any => {
    const o = ask(member, request);
    expect(o.status === "unknown" ? o.reason : isError(o.response) ? o.response.error : "ok").toBe("ok");
    return (o as { response: AdminSuccess | EtcdSuccess }).response;
  };
  const error = (member: number, request: ClientRequest): string => {
    const o = ask(member, request);
    return o.status === "unknown" ? `unknown: ${o.reason}` : isError(o.response) ? o.response.error : "ok";
  };
  const run = (ms: number) => world.scheduler.runUntil(world.nowUs + ms * MS);
  return { world, system, leader, ask, ok, error, run };
}


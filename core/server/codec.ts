// Requests travel through the Raft log as bytes: UTF-8 JSON of the LogRequest object.
// JSON keeps entries readable in traces; key order is the object's, fixed by the client.
import { assert } from "../assert";
import type { LogRequest } from "./api";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeRequest(req: LogRequest): Uint8Array {
  return encoder.encode(JSON.stringify(req));
}

export function decodeRequest(data: Uint8Array): LogRequest {
  const req = JSON.parse(decoder.decode(data)) as LogRequest;
  assert(req !== null && typeof req === "object" && typeof req.type === "string", "decodeRequest: not a request");
  return req;
}

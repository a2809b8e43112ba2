// A client's view of the simulated world: virtual time, sends from its own network
// address, and cancellable timers on the scheduler. Every simulated client uses this.
import type { ClientTransport } from "../core/client/session";
import type { World } from "./world";

export function worldClientTransport(world: World, clientId: number): ClientTransport {
  return {
    nowUs: () => world.nowUs,
    // A client's requests travel on its gRPC connection: never to a member's next run.
    send: (to, msgType, payload, bytes) => world.network.send(clientId, to, msgType, payload, { bytes, stream: true }),
    setTimer: (delayUs, fn) => {
      const h = { cancelled: false };
      world.scheduler.after(delayUs, () => !h.cancelled && fn());
      return h;
    },
  };
}

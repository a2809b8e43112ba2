// `raftsim scenarios`: lists the built-in scenarios, one line each.
import { BUILTIN_SCENARIOS } from "../../scenarios/builtin";
import type { Command } from "../command";

export const scenariosCommand: Command = {
  name: "scenarios",
  summary: "list built-in scenarios",
  usage: "raftsim scenarios [--json]",
  options: [],
  async run(_args, io) {
    if (io.json) {
      io.out(JSON.stringify({ scenarios: BUILTIN_SCENARIOS.map((s) => ({ name: s.name, description: s.description, nodes: s.cluster.nodes, durationMs: s.durationMs, faults: s.faults.length })) }));
      return 0;
    }
    const width = Math.max(...BUILTIN_SCENARIOS.map((s) => s.name.length));
    for (const s of BUILTIN_SCENARIOS) io.out(`${s.name.padEnd(width)}  ${s.description}`);
    return 0;
  },
};

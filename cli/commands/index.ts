// Every `raftsim` subcommand, in the order `raftsim --help` lists them.
import type { Command } from "../command";

export const COMMANDS: Command[] = [];

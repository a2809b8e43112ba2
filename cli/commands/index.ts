// Every `raftsim` subcommand, in the order `raftsim --help` lists them.
import type { Command } from "../command";
import { checkCommand } from "./check";

export const COMMANDS: Command[] = [checkCommand];

// Every `raftsim` subcommand, in the order `raftsim --help` lists them.
import type { Command } from "../command";
import { checkCommand } from "./check";
import { fuzzCommand } from "./fuzz";
import { replayCommand } from "./replay";
import { reportCommand } from "./report";
import { runCommand } from "./run";
import { scenariosCommand } from "./scenarios";
import { snapshotCommand } from "./snapshot";
import { viewCommand } from "./view";

export const COMMANDS: Command[] = [checkCommand, fuzzCommand, replayCommand, reportCommand, runCommand, scenariosCommand, snapshotCommand, viewCommand];

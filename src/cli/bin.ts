#!/usr/bin/env node
// The `flora` executable (package.json `bin`): exits with the command line's code once output has drained.
import { runFloraCommandLine } from "./flora.js";

void runFloraCommandLine().then((code) => {
  process.exitCode = code;
});

#!/usr/bin/env node
// `cdk8s-private-registry check ...`; see src/cli/check-command.ts, or run it with --help.
'use strict';
const load = require('../validation/load');

// `... | head` closes the pipe early: stop quietly
process.stdout.on('error', error => {
  if (error.code !== 'EPIPE') {
    throw error;
  }
  process.exit(process.exitCode);
});

load('cli/check-command').main(process.argv.slice(2)).then(
  code => { process.exitCode = code; },
  error => {
    // no stack: input that reaches here is the user's, and may hold credentials
    process.stderr.write(`cdk8s-private-registry: internal error: ${(error && error.name) || 'Error'}; please report it with the command that caused it\n`);
    process.exitCode = 2;
  },
);

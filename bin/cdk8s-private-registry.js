#!/usr/bin/env node
// `cdk8s-private-registry check ...`; see src/check-command.ts, or run it with --help.
'use strict';
const load = require('../validation/load');

// `... | head` closes the pipe early: stop quietly
process.stdout.on('error', error => {
  if (error.code !== 'EPIPE') {
    throw error;
  }
  process.exit(process.exitCode);
});

load('check-command').main(process.argv.slice(2)).then(
  code => { process.exitCode = code; },
  error => {
    process.stderr.write(`cdk8s-private-registry: internal error: ${(error && error.stack) || error}\n`);
    process.exitCode = 3;
  },
);

#!/usr/bin/env node
'use strict';
// Set the exit code instead of calling process.exit, so that piped output is flushed.
require('../dist/cli.js').main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

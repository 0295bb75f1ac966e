#!/usr/bin/env node
'use strict';
// Set the exit code instead of calling process.exit, so that piped output is flushed.
process.exitCode = require('../dist/cli.js').main(process.argv.slice(2));

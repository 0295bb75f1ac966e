#!/usr/bin/env node
'use strict';
require('../dist/adapter.js').main(process.argv.slice(2));

#!/usr/bin/env node
// The installed entry point: the bundled CLI (built by `npm ci` / `npm run build`).
import '../dist/brine.mjs';

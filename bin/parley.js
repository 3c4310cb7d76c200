#!/usr/bin/env node
// Entry point for `npx parley`: runs the compiled CLI (built by `npm run build`, run on `npm ci`).
import "../dist/cli/main.js";

#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=100
// (the flag: see src/node-flags.ts)
// Loading pgcdc's modules takes about half a second. A SIGTERM/SIGINT in that time would kill the
// process before a handler exists, so signals are held first and the worker's Shutdown carries
// them out once it is installed (see src/worker/early-signals.ts).
import { holdEarlySignals } from './worker/early-signals.js';

holdEarlySignals();
await import('./cli/main.js');

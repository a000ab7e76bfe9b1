#!/usr/bin/env node
/**
 * The bin. Signal handlers come first, before the modules load (a few hundred milliseconds): a
 * signal then finds nothing started and ends the process at once. run.ts replaces them with the
 * lifecycle's, which undo what the start has done so far. Workers of `--workers N` leave signals
 * to their primary (worker.ts).
 */
import cluster from 'node:cluster';
import module from 'node:module';

const beforeStart = (): never => process.exit(0);
if (!cluster.isWorker) {
  process.on('SIGTERM', beforeStart);
  process.on('SIGINT', beforeStart);
}

// Node 22.8+ (module.enableCompileCache) keeps V8's compiled code of the modules it loads on disk
// (in the system's temporary directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off): later starts
// skip most of the compiling. Node 20 has no such cache.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { main } = await import('./run.js');
main({
  off() {
    process.off('SIGTERM', beforeStart);
    process.off('SIGINT', beforeStart);
  },
});

// Starts a worker thread running one of our TypeScript files.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker running the TypeScript file at `url`. Workers do not inherit the main thread's tsx
 * loader, so the worker registers tsx's require hook (it adds no loader thread, unlike the ESM one)
 * and requires the file.
 */
export function startTsWorker(url: URL, workerData: unknown): Worker {
  const tsx = JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'));
  const entry = JSON.stringify(fileURLToPath(url));
  return new Worker(`require(${tsx}).register(); require(${entry});`, { eval: true, workerData });
}

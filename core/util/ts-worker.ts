// Starts a worker thread running one of our modules (TypeScript from source, or compiled JavaScript).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker running the module at `url`. Compiled JavaScript runs as it is. TypeScript needs tsx,
 * which workers do not inherit from the main thread's loader: the worker registers tsx's require hook (it
 * adds no loader thread, unlike the ESM one) and requires the file.
 */
export function startTsWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsx = JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'));
  const entry = JSON.stringify(fileURLToPath(url));
  return new Worker(`require(${tsx}).register(); require(${entry});`, { eval: true, workerData });
}

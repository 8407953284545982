#!/usr/bin/env node
// Entry point: runs the CLI compiled to JavaScript (bin/compile.js builds it on first use and after any
// source change), or from source through tsx when compiling is not possible or STRATA_FROM_SOURCE is set.
// Long-running commands first start a child node with heap flags (relaunch.js) and wait for it.
import { relaunch } from './relaunch.js';

if (!relaunch()) {
  const { compiledEntry } = await import('./compile.js');
  const entry = process.env.STRATA_FROM_SOURCE ? null : await compiledEntry();
  if (entry) {
    await import(entry);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../cli/main.ts');
  }
}

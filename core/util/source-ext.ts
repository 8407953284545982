// The extension of the running code's files: '.ts' when run from source through tsx, '.js' when run
// compiled (bin/compile.js). Modules loaded by path at run time (workers, commands, frontends) use it.
export const SOURCE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

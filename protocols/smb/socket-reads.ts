// Socket reads into buffers the reader chooses. Node offers this as `net.connect({ onread })` but not for the
// sockets a net.Server accepts, so the same hooks are set on an accepted socket while it is still paused: then
// a large frame is read straight into its own buffer, and no fresh 64 KiB buffer is made per read (V8 counts
// each as external memory, and a stream of them starts a full garbage collection every few tens of MiB).
import type { Socket } from 'node:net';

/** Where reads land: `next()` names the buffer for the next read, `received` is told what a read put there. */
export interface ReadTarget {
  next(): Buffer;
  received(n: number, into: Buffer): void;
}

interface StreamHandle {
  useUserBuffer?: (buf: Buffer) => void;
}

const hook = (socket: Socket, name: string): symbol | undefined => Object.getOwnPropertySymbols(socket).find((s) => s.description === name);

/**
 * Makes a paused, freshly accepted socket read into `target.next()` from its next read on (`resume()` starts
 * it); false, leaving the socket as it was, when this Node version lacks the hooks (then use 'data' events).
 */
export function readInto(socket: Socket, target: ReadTarget): boolean {
  const handle = (socket as unknown as { _handle?: StreamHandle })._handle;
  const [buffer, callback, generator] = ['kBuffer', 'kBufferCb', 'kBufferGen'].map((n) => hook(socket, n));
  if (!buffer || !callback || !generator || typeof handle?.useUserBuffer !== 'function') return false;
  const s = socket as unknown as Record<symbol, unknown>;
  const first = target.next();
  s[buffer] = first;
  s[callback] = (n: number, into: Buffer) => target.received(n, into);
  s[generator] = () => target.next();
  handle.useUserBuffer(first);
  return true;
}

// PUT: the body streamed into vfs.writeFile as it arrives (backpressure from the async iterator,
// never buffered whole); 201 for a new file, 204 for a replaced one, 409 without a parent.
import { HttpError } from './errors.ts';
import { parentOf } from './paths.ts';
import { notModified } from './preconditions.ts';
import { assertUnlocked, continueIfExpected, etagOf, header, send, statOrNull, type DavRequest } from './request.ts';

const gone = () => new HttpError(499, 'the client went away during the upload');

/** The request body as an async iterable that counts bytes into `r.bytesIn`; a client abort sets `state.aborted`. */
async function* counted(r: DavRequest, state: { aborted: boolean }): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of r.req as AsyncIterable<Buffer>) {
      r.bytesIn += chunk.length;
      yield chunk;
    }
  } catch {
    state.aborted = true;
  }
  if (state.aborted || !r.req.complete) {
    state.aborted = true;
    throw gone();
  }
}

/** Handles PUT. */
export async function handlePut(r: DavRequest): Promise<void> {
  if (header(r, 'content-range') !== undefined) throw new HttpError(400, 'partial PUT (Content-Range) is not supported');
  if (r.path === '/') throw new HttpError(405, 'cannot PUT the root collection');
  const existing = await statOrNull(r.vfs, r.path);
  if (existing?.kind === 'dir') throw new HttpError(405, 'cannot PUT onto a collection');
  if (!existing) {
    const parent = await statOrNull(r.vfs, parentOf(r.path));
    if (!parent || parent.kind !== 'dir') throw new HttpError(409, 'the parent collection does not exist');
  }
  assertUnlocked(r, { path: r.path, membership: !existing });
  notModified(r, existing);
  continueIfExpected(r);
  const state = { aborted: false };
  const stat = await r.vfs.writeFile(r.path, counted(r, state)).catch((err) => {
    throw state.aborted ? gone() : err;
  });
  send(r, existing ? 204 : 201, '', { ETag: etagOf(stat) });
}

// WebDAV locks kept across restarts: the lock manager's locks in one JSON file in the archive
// directory (docs/FORMAT.md section 2), rewritten whenever a lock is taken, refreshed or released,
// so a client (an editor holding a document open) keeps its lock when the server restarts.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Lock } from './locks.ts';

/** Where a lock manager keeps its locks. */
export interface LockStore {
  load(): Lock[];
  save(locks: Lock[]): void;
}

const lockSchema = z.object({
  token: z.string().regex(/^opaquelocktoken:[0-9a-f-]{36}$/),
  root: z.string().startsWith('/'),
  depth: z.union([z.literal(0), z.literal('infinity')]),
  scope: z.enum(['exclusive', 'shared']),
  owner: z.string(),
  principal: z.string(),
  timeoutSec: z.number().int().positive(),
  expiresAt: z.number(),
});

const fileSchema = z.object({ v: z.literal(1), locks: z.array(lockSchema) });

/**
 * The locks file at `path`. A missing file holds no locks; an unreadable one is ignored with a
 * warning (the locks in it are lost, nothing else is). Saving never throws: a lock that cannot be
 * written down still holds until this server stops.
 */
export function lockFile(path: string, log: Logger): LockStore {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, path }, 'cannot read the WebDAV locks file; starting without its locks');
        return [];
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
      const parsed = fileSchema.safeParse(data);
      if (!parsed.success) {
        log.warn({ path }, 'the WebDAV locks file is not valid; starting without its locks');
        return [];
      }
      return parsed.data.locks;
    },
    save(locks) {
      try {
        if (locks.length === 0) {
          rmSync(path, { force: true });
          return;
        }
        const tmp = `${path}.tmp`;
        writeFileSync(tmp, JSON.stringify({ v: 1, locks }), { mode: 0o600 });
        renameSync(tmp, path);
      } catch (err) {
        log.warn({ err, path }, 'cannot save the WebDAV locks; they hold until this server stops');
      }
    },
  };
}

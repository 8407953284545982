// Crash recovery at open: packs left unsealed by a dead writer are cut back to what the index
// committed and sealed with their trailer.
import type { MetaDb, PackRecord } from '../meta/db.ts';
import type { PackBackend } from './backend.ts';
import { encodeTrailer } from './pack-format.ts';
import { scanPack } from './pack-scan.ts';
import { processAlive } from '../util/process-alive.ts';

/** Seals every unsealed pack whose writer process is gone; returns how many it sealed. */
export async function recoverUnsealedPacks(db: MetaDb, backend: PackBackend): Promise<number> {
  let sealed = 0;
  for (const { key, value } of db.packs.getRange({})) {
    const rec = value as PackRecord;
    if (rec.sealed || rec.writer === process.pid || processAlive(rec.writer)) continue;
    const packId = key.toString('hex');
    const scan = await scanPack(backend, packId, rec.length);
    const sink = await backend.reopen(packId, scan.dataEnd);
    await sink.append(encodeTrailer(scan.entries));
    await sink.sealed();
    await sink.sync();
    await sink.close();
    await db.packs.put(key, { ...rec, sealed: true, length: scan.dataEnd, blobs: scan.entries.length });
    sealed++;
  }
  return sealed;
}

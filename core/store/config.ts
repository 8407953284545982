// config.json: the archive's format version, id, chunker parameters and (when encrypted) wrapped keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChunkerParams } from './chunker.ts';
import type { KdfParams } from './keys.ts';

/** The only on-disk format version this code reads and writes. */
export const FORMAT_VERSION = 1;

/** The decoded contents of config.json. */
export interface ArchiveConfig {
  format: 'strata-archive';
  version: number;
  id: string;
  createdAt: string;
  chunker: ChunkerParams & { algorithm: 'fastcdc-gear32'; seed?: string };
  compression: { algorithm: 'zstd'; level: number };
  packTargetSize: number;
  encryption: null | { cipher: 'aes-256-gcm'; kdf: KdfParams; keys: string };
}

/** Reads and checks config.json; throws a clear error for a missing or foreign archive. */
export function readConfig(dir: string): ArchiveConfig {
  let text: string;
  try {
    text = readFileSync(join(dir, 'config.json'), 'utf8');
  } catch {
    throw new Error(`${dir} is not a strata archive (no config.json); create one with 'strata init ${dir}'`);
  }
  const cfg = JSON.parse(text) as ArchiveConfig;
  if (cfg.format !== 'strata-archive') throw new Error(`${dir}/config.json is not a strata archive config`);
  if (cfg.version !== FORMAT_VERSION) {
    throw new Error(`${dir} has format version ${cfg.version}; this strata reads version ${FORMAT_VERSION}`);
  }
  return cfg;
}

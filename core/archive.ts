// An open archive: config, keys, metadata environment, object store and live tree, created or opened here.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile, rename, open as openFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LiveTree } from './meta/live-tree.ts';
import { openMetaDb, type MetaDb } from './meta/db.ts';
import { ROOT_INO, nowNs, type Inode } from './meta/inode.ts';
import { LocalPackBackend, syncDir, type PackBackend } from './store/backend.ts';
import { BlobCodec } from './store/blob-codec.ts';
import { Chunker, defaultChunkerParams, gearTable, validateChunkerParams, type ChunkerParams } from './store/chunker.ts';
import { FORMAT_VERSION, readConfig, type ArchiveConfig } from './store/config.ts';
import { archiveHasher } from './store/hash.ts';
import { newKdfParams, newKeys, unwrapKeys, wrapKeys, type ArchiveKeys } from './store/keys.ts';
import { ObjectStore } from './store/object-store.ts';
import { recoverUnsealedPacks } from './store/recover.ts';
import { otherLiveProcesses, watchOtherProcesses } from './util/process-registry.ts';
import { ChunkSink } from './files/chunk-sink.ts';
import { StreamChunkWorker } from './files/stream-chunker.ts';

/** Supplies the archive password when one is needed. */
export type PasswordSource = () => Promise<string> | string;

/** How to create an archive. */
export interface InitOptions {
  encrypt?: boolean;
  password?: PasswordSource;
  chunkSizeAvg?: number;
  packTargetSize?: number;
}

/** How to open an archive. */
export interface OpenOptions {
  password?: PasswordSource;
  /** Skips crash recovery and the staging clean-up (verify, ls, cat, export); LMDB is still opened read-write. */
  readOnly?: boolean;
  /** Pack appends block the thread (a bulk import: see LocalPackBackend). */
  blockingAppends?: boolean;
}

const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

/** One archive on disk, opened. */
export class Archive {
  private constructor(
    readonly dir: string,
    readonly config: ArchiveConfig,
    readonly keys: ArchiveKeys | null,
    readonly db: MetaDb,
    readonly store: ObjectStore,
    readonly tree: LiveTree,
    readonly chunkerParams: ChunkerParams,
    private readonly gear: Uint32Array,
  ) {}

  private streamWorker: StreamChunkWorker | null = null;

  /** The metadata environment's directory (meta/). */
  get metaPath(): string {
    return join(this.dir, 'meta');
  }

  /** Creates a new archive in `dir` (which must be absent or empty). */
  static async init(dir: string, opts: InitOptions = {}): Promise<void> {
    await mkdir(dir, { recursive: true });
    if ((await readdir(dir)).length > 0) throw new Error(`${dir} is not empty; refusing to create an archive there`);
    const params = defaultChunkerParams(opts.chunkSizeAvg ?? 1024 * 1024);
    validateChunkerParams(params);
    const id = randomBytes(16).toString('hex');
    let encryption: ArchiveConfig['encryption'] = null;
    let seed: string | undefined = randomBytes(32).toString('hex');
    if (opts.encrypt) {
      if (!opts.password) throw new Error('an encrypted archive needs a password');
      const password = await opts.password();
      if (password.length === 0) throw new Error('the password must not be empty');
      const kdf = newKdfParams();
      encryption = { cipher: 'aes-256-gcm', kdf, keys: wrapKeys(newKeys(), password, kdf, id) };
      seed = undefined;
    }
    const config: ArchiveConfig = {
      format: 'strata-archive',
      version: FORMAT_VERSION,
      id,
      createdAt: new Date().toISOString(),
      chunker: { algorithm: 'fastcdc-gear32', ...params, ...(seed ? { seed } : {}) },
      compression: { algorithm: 'zstd', level: 3 },
      packTargetSize: opts.packTargetSize ?? DEFAULT_PACK_SIZE,
      encryption,
    };
    await mkdir(join(dir, 'packs'));
    await mkdir(join(dir, 'staging'));
    const db = openMetaDb(join(dir, 'meta'));
    const now = nowNs();
    const root: Inode = { kind: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, atime: now, mtime: now, ctime: now, btime: now, parent: ROOT_INO };
    await db.env.transaction(() => {
      db.inodes.put(ROOT_INO, root);
      db.state.put('nextIno', ROOT_INO + 1);
    });
    await db.env.close();
    const tmp = join(dir, 'config.json.tmp');
    await writeFile(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    const fh = await openFile(tmp, 'r');
    await fh.sync();
    await fh.close();
    await rename(tmp, join(dir, 'config.json'));
    await syncDir(dir);
  }

  /** Opens an existing archive; asks for the password only when it is encrypted. */
  static async open(dir: string, opts: OpenOptions = {}): Promise<Archive> {
    const config = readConfig(dir);
    let keys: ArchiveKeys | null = null;
    if (config.encryption) {
      if (!opts.password) throw new Error('this archive is encrypted: a password is needed (STRATA_PASSWORD, --password-file or a prompt)');
      keys = unwrapKeys(config.encryption.keys, await opts.password(), config.encryption.kdf, config.id);
    }
    const seed = keys ? keys.chunkerSeed : Buffer.from(config.chunker.seed ?? '', 'hex');
    const params: ChunkerParams = { min: config.chunker.min, avg: config.chunker.avg, max: config.chunker.max };
    const hasher = archiveHasher(keys?.idKey ?? null);
    const codec = new BlobCodec(hasher, keys ? keys.dataKey : null);
    if (!existsSync(join(dir, 'meta'))) await mkdir(join(dir, 'meta'));
    const db = openMetaDb(join(dir, 'meta'));
    // STRATA_DIRECT_IO=0: packs through the page cache only (README, "Choices measured").
    const backend: PackBackend = new LocalPackBackend(join(dir, 'packs'), opts.blockingAppends, process.env.STRATA_DIRECT_IO !== '0');
    const store = new ObjectStore(db, backend, codec, config.packTargetSize);
    const archive = new Archive(dir, config, keys, db, store, new LiveTree(db), params, gearTable(seed));
    await registerProcess(dir);
    if (!opts.readOnly) {
      await recoverUnsealedPacks(db, backend);
      await rm(join(dir, 'staging'), { recursive: true, force: true });
      await mkdir(join(dir, 'staging'), { recursive: true });
    }
    return archive;
  }

  /** This archive's chunker gear table (derived from its secret seed). */
  get gearTable(): Uint32Array {
    return this.gear;
  }

  /** A fresh streaming chunker with this archive's parameters and gear table. */
  newChunker(): Chunker {
    return new Chunker(this.chunkerParams, this.gear);
  }

  /** A sink for one stream of file content: chunked and stored as it arrives, by the chunking worker once it is large. */
  newChunkSink(): ChunkSink {
    this.streamWorker ??= new StreamChunkWorker({ params: this.chunkerParams, gear: this.gear, idKey: this.keys?.idKey ?? null });
    return new ChunkSink(this.store, this.newChunker(), this.streamWorker);
  }

  /** Process ids of other live processes that have this archive open. */
  async otherProcesses(): Promise<number[]> {
    return otherLiveProcesses(join(this.dir, 'locks'));
  }

  /** Calls `onChange` with the other processes that have this archive open, now and on each change; returns the stop function. */
  watchOtherProcesses(onChange: (pids: number[]) => void): () => void {
    return watchOtherProcesses(join(this.dir, 'locks'), onChange);
  }

  /** Seals and commits outstanding writes, then closes every file; later calls wait for the first. */
  close(): Promise<void> {
    return (this.closing ??= this.closeOnce());
  }

  private closing: Promise<void> | null = null;

  private async closeOnce(): Promise<void> {
    await this.streamWorker?.close();
    await this.store.close();
    await this.db.env.close();
    await rm(join(this.dir, 'locks', String(process.pid)), { force: true });
  }
}

/** Records this process under locks/ so maintenance that must run alone (prune) can see it. */
async function registerProcess(dir: string): Promise<void> {
  await mkdir(join(dir, 'locks'), { recursive: true });
  await writeFile(join(dir, 'locks', String(process.pid)), `${new Date().toISOString()}\n`);
}

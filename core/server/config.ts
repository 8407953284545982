// strata.yaml: the server configuration, validated with a schema; every error names its line.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';

const listen = z.string().regex(/^(?:\[[^\]]+\]|[^:\s]*):\d{1,5}$/, 'expected HOST:PORT');
const tls = z.object({ cert: z.string(), key: z.string() }).strict();
const duration = z.string().regex(/^\d+(?:\.\d+)?\s*(?:s|m|h|d)$/, 'expected a duration such as 30s, 15m, 1h or 1d');

const userSchema = z.object({
  name: z.string().min(1),
  password: z.string().min(1),
  home: z.string().default('/'),
  read_only: z.boolean().default(false),
  snapshots: z.enum(['none', 'create', 'manage']).default('create'),
}).strict();

/** The schema of strata.yaml. */
export const configSchema = z.object({
  archive: z.string().optional(),
  password_file: z.string().optional(),
  webdav: z.object({ listen, tls: tls.optional(), allow_basic_over_http: z.boolean().default(false) }).strict().optional(),
  ftp: z.object({
    listen,
    passive_ports: z.string().regex(/^\d{1,5}-\d{1,5}$/, 'expected MIN-MAX').optional(),
    public_address: z.string().optional(),
    tls: tls.optional(),
    implicit_tls_listen: listen.optional(),
    allow_active: z.boolean().default(false),
  }).strict().optional(),
  smb: z.object({
    listen,
    share: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'share names are letters, digits, . _ -').default('share'),
    signing_required: z.boolean().default(true),
    encrypt: z.boolean().default(false),
    allow_ntlmv1: z.boolean().default(false),
    oplock_break_timeout_ms: z.number().int().min(100).max(600_000).default(35_000),
  }).strict().optional(),
  mount: z.object({
    path: z.string().min(1),
    cache_seconds: z.number().min(0).max(1).default(1),
    stat_cache_seconds: z.number().min(0).max(3600).default(30),
  }).strict().optional(),
  metrics: z.object({ listen }).strict().optional(),
  snapshots: z.object({ every: duration.optional() }).strict().optional(),
  anonymous: z.object({ enabled: z.boolean().default(false), home: z.string().default('/') }).strict().optional(),
  users: z.array(userSchema).default([]),
  log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') }).strict().optional(),
}).strict();

/** A validated configuration. */
export type StrataConfig = z.infer<typeof configSchema>;

/** A configuration error, with the file and line it concerns. */
export class ConfigError extends Error {}

function lineOf(doc: Document, counter: LineCounter, path: Array<string | number>, unknownKey?: string): number | null {
  let node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (unknownKey !== undefined) {
    const map = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as unknown;
    if (isMap(map)) {
      const pair = map.items.find((p) => isScalar(p.key) && p.key.value === unknownKey);
      node = pair?.key as { range?: [number, number, number] } | undefined;
    }
  }
  if (!node?.range) return null;
  return counter.linePos(node.range[0]).line;
}

/** Parses and validates YAML text; throws ConfigError naming the line of the first problems. */
export function parseConfig(text: string, file = 'strata.yaml'): StrataConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const line = lineOf(doc, counter, issue.path, unknown);
    const where = issue.path.length ? issue.path.join('.') : 'top level';
    const what = unknown !== undefined ? `unknown key '${unknown}'` : issue.message;
    return `${file}:${line ?? '?'}: ${where}: ${what}`;
  });
  throw new ConfigError(lines.join('\n'));
}

/** Reads and validates a configuration file. */
export function loadConfig(path: string): StrataConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseConfig(text, path);
}

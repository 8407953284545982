// The If header (RFC 4918 §10.4): parser for tagged and untagged lists, and an evaluator over
// lock tokens and ETags. Malformed headers are 400; a false header is 412.
import { HttpError } from './errors.ts';
import { decodeTarget } from './paths.ts';

/** One condition: a state token (lock token or other URI) or an entity tag, maybe negated. */
export interface IfCondition {
  not: boolean;
  token?: string;
  etag?: string;
}

/** One parenthesised list; `path` is the tagged resource, or null for the request URI. */
export interface IfList {
  path: string | null;
  conditions: IfCondition[];
}

/** The state a condition is checked against: the resource's ETag (null when unmapped) and the tokens of locks covering it. */
export interface ResourceState {
  etag: string | null;
  lockTokens: Set<string>;
}

/** Parses an If header value into its lists. */
export function parseIf(value: string): IfList[] {
  const lists: IfList[] = [];
  let i = 0;
  let tag: string | null = null;
  let sawTagged = false;
  let sawUntagged = false;
  const bad = (why: string): never => {
    throw new HttpError(400, `malformed If header: ${why}`);
  };
  const skipWs = () => {
    while (i < value.length && /\s/.test(value[i]!)) i++;
  };
  const until = (close: string): string => {
    const end = value.indexOf(close, i + 1);
    if (end < 0) bad(`missing '${close}'`);
    const s = value.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  for (skipWs(); i < value.length; skipWs()) {
    if (value[i] === '<') {
      const url = until('>');
      tag = decodeTarget(url).path;
      sawTagged = true;
      skipWs();
      if (value[i] !== '(') bad('a resource tag must be followed by a list');
      continue;
    }
    if (value[i] !== '(') bad(`unexpected '${value[i]}'`);
    if (tag === null) sawUntagged = true;
    if (sawTagged && sawUntagged) bad('tagged and untagged lists mixed');
    i++;
    const conditions: IfCondition[] = [];
    for (skipWs(); value[i] !== ')'; skipWs()) {
      if (i >= value.length) bad("missing ')'");
      let not = false;
      if (/^not\b/i.test(value.slice(i, i + 4)) && /[\s<[]/.test(value[i + 3] ?? '')) {
        not = true;
        i += 3;
        skipWs();
      }
      if (value[i] === '<') conditions.push({ not, token: until('>').trim() });
      else if (value[i] === '[') conditions.push({ not, etag: until(']').trim() });
      else bad(`unexpected '${value[i]}' in a list`);
    }
    i++;
    if (conditions.length === 0) bad('empty list');
    lists.push({ path: tag, conditions });
  }
  if (lists.length === 0) bad('no lists');
  return lists;
}

/** The lock tokens named (not negated) anywhere in the header: the tokens the request submits. */
export function submittedTokens(lists: IfList[]): Set<string> {
  const out = new Set<string>();
  for (const l of lists) for (const c of l.conditions) if (c.token !== undefined && !c.not) out.add(c.token);
  return out;
}

function etagMatches(want: string, have: string | null): boolean {
  if (have === null) return false;
  const strip = (e: string) => e.replace(/^W\//, '');
  return strip(want) === strip(have);
}

/** True when at least one list holds (every condition in it true) for its resource. */
export async function evaluateIf(lists: IfList[], requestPath: string, stateOf: (path: string) => Promise<ResourceState>): Promise<boolean> {
  const cache = new Map<string, ResourceState>();
  for (const list of lists) {
    const path = list.path ?? requestPath;
    let state = cache.get(path);
    if (!state) {
      state = await stateOf(path);
      cache.set(path, state);
    }
    const holds = list.conditions.every((c) => {
      const match = c.token !== undefined ? state.lockTokens.has(c.token) : etagMatches(c.etag!, state.etag);
      return c.not ? !match : match;
    });
    if (holds) return true;
  }
  return false;
}

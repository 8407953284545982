// XML in and out: request bodies parsed with @xmldom/xmldom (size-capped, no DTDs or entity
// declarations), namespace-explicit serialisation of dead property values, and escaping.
import type { IncomingMessage } from 'node:http';
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { HttpError } from './errors.ts';

/** The DAV: namespace. */
export const DAV_NS = 'DAV:';
/** Largest XML request body accepted. */
export const MAX_XML_BODY = 1024 * 1024;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;

/** Reads a whole request body up to `limit` bytes (413 beyond). */
export async function readBody(req: IncomingMessage, limit = MAX_XML_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `request body over ${limit} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Parses an XML body; null when the body is empty. Malformed XML, DTDs and entity declarations are 400. */
export function parseXml(body: Buffer): Document | null {
  if (body.length === 0) return null;
  const fatal = new TextDecoder('utf-8', { fatal: true });
  let text: string;
  try {
    text = fatal.decode(body);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  if (text.trim() === '') return null;
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new HttpError(400, 'DTDs and entity declarations are not accepted');
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new Error(msg);
      },
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    throw new HttpError(400, `malformed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc.documentElement) throw new HttpError(400, 'malformed XML: no root element');
  return doc;
}

/** The element children of `el`. */
export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  return out;
}

/** True when `el` is DAV:`local`. */
export function isDav(el: Element, local: string): boolean {
  return el.namespaceURI === DAV_NS && el.localName === local;
}

/** The first DAV:`local` child of `el`, if any. */
export function davChild(el: Element, local: string): Element | undefined {
  return childElements(el).find((c) => isDav(c, local));
}

/** The key of a property: Clark notation `{namespace}local` (empty namespace allowed). */
export function propKey(el: Element): string {
  return `{${el.namespaceURI ?? ''}}${el.localName ?? el.nodeName}`;
}

/** Splits a Clark-notation key into namespace and local name. */
export function splitKey(key: string): { ns: string; local: string } {
  const end = key.indexOf('}');
  return { ns: key.slice(1, end), local: key.slice(end + 1) };
}

/** An empty property element for `key`, with its namespace declared inline. */
export function emptyProp(key: string): string {
  const { ns, local } = splitKey(key);
  return `<${local} xmlns="${escapeXml(ns)}"/>`;
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Serialises `el` with every namespace declared on the element that uses it (default namespace for
 * elements, generated prefixes for attributes), so the text stands alone wherever it is embedded.
 */
export function serializeElement(el: Element): string {
  const local = el.localName ?? el.nodeName;
  let out = `<${local} xmlns="${escapeXml(el.namespaceURI ?? '')}"`;
  let k = 0;
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
    if (a.namespaceURI) {
      const p = a.namespaceURI === 'http://www.w3.org/XML/1998/namespace' ? 'xml' : `a${k++}`;
      if (p !== 'xml') out += ` xmlns:${p}="${escapeXml(a.namespaceURI)}"`;
      out += ` ${p}:${a.localName}="${escapeXml(a.value)}"`;
    } else out += ` ${a.localName ?? a.name}="${escapeXml(a.value)}"`;
  }
  const inner = serializeChildren(el);
  return inner === '' ? `${out}/>` : `${out}>${inner}</${local}>`;
}

function serializeChildren(el: Element): string {
  let out = '';
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) out += serializeElement(n as Element);
    else if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_NODE) out += escapeXml(n.nodeValue ?? '');
  }
  return out;
}

/** The XML declaration and multistatus opening every 207 body starts with. */
export const MULTISTATUS_OPEN = '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">\n';
/** The multistatus closing tag. */
export const MULTISTATUS_CLOSE = '</D:multistatus>\n';

/** A DAV:error body holding `condition` (inner XML using prefix D). */
export function errorBody(condition: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:">${condition}</D:error>\n`;
}

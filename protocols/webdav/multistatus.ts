// Small builders for 207 Multi-Status bodies: status lines and per-href responses.
import { STATUS_CODES } from 'node:http';
import { escapeXml, MULTISTATUS_CLOSE, MULTISTATUS_OPEN } from './xml.ts';
import { send, type DavRequest } from './request.ts';

/** The DAV:status text of an HTTP status. */
export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/** One DAV:response holding an href and a status (and an optional DAV:error condition). */
export function statusResponse(href: string, status: number, condition?: string): string {
  const error = condition ? `<D:error>${condition}</D:error>` : '';
  return `<D:response><D:href>${escapeXml(href)}</D:href><D:status>${statusLine(status)}</D:status>${error}</D:response>\n`;
}

/** Sends a whole 207 body of the given responses. */
export function sendMultistatus(r: DavRequest, responses: string[]): void {
  send(r, 207, MULTISTATUS_OPEN + responses.join('') + MULTISTATUS_CLOSE, {}, 'application/xml; charset=utf-8');
}

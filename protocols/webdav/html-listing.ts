// The HTML page a browser gets for GET on a collection: breadcrumbs, names with download links,
// sizes, dates, and links to the same folder in each snapshot.
import type { DirEntry, Stat } from '../../core/vfs/types.ts';
import { baseName, hrefOf, inSnapshots, joinPath } from './paths.ts';
import { etagOf, statOrNull, type DavRequest } from './request.ts';
import { escapeXml as esc } from './xml.ts';

/** Most entries shown on one page. */
const MAX_ENTRIES = 5000;
/** Most snapshots linked from one page (newest first). */
const MAX_SNAPSHOT_LINKS = 30;

function humanSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function when(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace('T', ' ').slice(0, 16);
}

function breadcrumbs(path: string): string {
  const names = path.split('/').filter(Boolean);
  const parts = [`<a href="/">home</a>`];
  names.forEach((n, i) => parts.push(`<a href="${esc(hrefOf('/' + names.slice(0, i + 1).join('/'), true))}">${esc(n)}</a>`));
  return parts.join(' <span class="sep">/</span> ');
}

async function entries(r: DavRequest): Promise<{ list: DirEntry[]; more: boolean }> {
  const list: DirEntry[] = [];
  let after: string | undefined;
  while (list.length < MAX_ENTRIES) {
    const page = await r.vfs.readdir(r.path, { after, limit: r.settings.pageSize });
    list.push(...page.filter((e) => e.stat.kind !== 'symlink'));
    if (page.length < r.settings.pageSize) return { list, more: false };
    after = page[page.length - 1]!.name;
  }
  return { list: list.slice(0, MAX_ENTRIES), more: true };
}

/** Links to this folder in each snapshot that has it (live folders only). */
async function snapshotLinks(r: DavRequest): Promise<string> {
  if (inSnapshots(r.path)) {
    const snap = r.path.split('/')[2];
    if (!snap) return '';
    const live = '/' + r.path.split('/').slice(3).join('/');
    return `<p class="snapnote">Read-only snapshot <b>${esc(snap)}</b>. <a href="${esc(hrefOf(live, true))}">Current version of this folder</a></p>`;
  }
  const snaps = (await r.vfs.snapshots()).slice(-MAX_SNAPSHOT_LINKS).reverse();
  const links: string[] = [];
  for (const s of snaps) {
    const p = r.path === '/' ? `/.snapshots/${s.name}` : `/.snapshots/${s.name}${r.path}`;
    const st = await statOrNull(r.vfs, p).catch(() => null);
    if (st?.kind === 'dir') links.push(`<li><a href="${esc(hrefOf(p, true))}">${esc(s.name)}</a> <span class="dim">${esc(s.time.toISOString().replace('T', ' ').slice(0, 16))}</span></li>`);
  }
  if (links.length === 0) return '<p class="dim">No snapshot holds this folder yet.</p>';
  return `<details><summary>This folder in ${links.length} snapshot${links.length > 1 ? 's' : ''}</summary><ul class="snaps">${links.join('')}</ul></details>`;
}

/** Inline icons (no emoji font needed). */
const FOLDER_ICON = '<svg class="i" viewBox="0 0 16 16"><path d="M1 3.5h5l1.5 1.5H15v8.5H1z" fill="#f2c14e" stroke="#c99a2e"/></svg>';
const FILE_ICON = '<svg class="i" viewBox="0 0 16 16"><path d="M3 1h7l3 3v11H3z" fill="#fff" stroke="#8a93a3"/><path d="M10 1v3h3" fill="none" stroke="#8a93a3"/></svg>';
const UP_ICON = '<svg class="i" viewBox="0 0 16 16"><path d="M8 3l-5 5h3v5h4V8h3z" fill="#8a93a3"/></svg>';

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.25rem;font-weight:600;margin:0 0 1rem}a{color:#1f5fbf;text-decoration:none}a:hover{text-decoration:underline}
.sep{color:#9aa3b2}table{width:100%;border-collapse:collapse}th{text-align:left;font-weight:600;color:#5b6475;border-bottom:2px solid #e3e7ee;padding:.4rem .5rem}
td{padding:.35rem .5rem;border-bottom:1px solid #eef1f5}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.d{white-space:nowrap;color:#5b6475;font-variant-numeric:tabular-nums}tr:hover td{background:#f6f8fb}.dim{color:#8a93a3}
.dl{font-size:12px}.snaps{columns:2;padding-left:1.2rem}.snapnote{background:#fff7e0;border:1px solid #f0dca0;padding:.5rem .75rem;border-radius:6px}
details{margin:1rem 0}.i{width:16px;height:16px;vertical-align:-3px;margin-right:.35rem}summary{cursor:pointer;color:#1f5fbf}footer{margin-top:1.5rem;color:#8a93a3;font-size:12px}`;

/** Answers GET/HEAD on a collection with an HTML page. */
export async function sendListing(r: DavRequest, stat: Stat): Promise<void> {
  const { list, more } = await entries(r);
  const dirs = list.filter((e) => e.stat.kind === 'dir');
  const files = list.filter((e) => e.stat.kind !== 'dir');
  const rows = [...dirs, ...files].map((e) => {
    const p = joinPath(r.path, e.name);
    const dir = e.stat.kind === 'dir';
    const href = esc(hrefOf(p, dir));
    const size = dir ? '<span class="dim">—</span>' : humanSize(e.stat.size);
    const dl = dir ? '' : ` <a class="dl" href="${href}" download>download</a>`;
    return `<tr><td>${dir ? FOLDER_ICON : FILE_ICON} <a href="${href}">${esc(e.name)}${dir ? '/' : ''}</a>${dl}</td><td class="n">${size}</td><td class="d">${when(e.stat.mtimeNs)}</td></tr>`;
  });
  const up = r.path === '/' ? '' : `<tr><td>${UP_ICON} <a href="${esc(hrefOf(r.path.slice(0, r.path.lastIndexOf('/')) || '/', true))}">..</a></td><td></td><td></td></tr>`;
  const title = r.path === '/' ? 'strata' : baseName(r.path);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} — strata</title><style>${STYLE}</style></head><body>
<h1>${breadcrumbs(r.path)}</h1>
${await snapshotLinks(r)}
<table><thead><tr><th>Name</th><th style="text-align:right">Size</th><th>Modified (UTC)</th></tr></thead><tbody>
${up}${rows.join('\n')}
</tbody></table>
${more ? `<p class="dim">Showing the first ${MAX_ENTRIES} entries; use a WebDAV client for the rest.</p>` : ''}
<footer>${dirs.length} folder${dirs.length === 1 ? '' : 's'}, ${files.length} file${files.length === 1 ? '' : 's'} · served by strata over WebDAV</footer>
</body></html>`;
  const buf = Buffer.from(html);
  r.res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': buf.length, ETag: etagOf(stat), 'Cache-Control': 'no-cache' });
  r.bytesOut += r.method === 'HEAD' ? 0 : buf.length;
  r.res.end(r.method === 'HEAD' ? undefined : buf);
}

// The HTML listing a browser gets for a collection, rendered by headless Chromium (Debian's, driven
// by playwright-core): breadcrumbs, rows, download links and links to the folder in each snapshot.
// STRATA_WEBDAV_SCREENSHOT=docs/webdav-listing.png also saves the screenshot there.
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { noise } from '../helpers/tree.ts';
import { withTmp } from '../helpers/tmp.ts';
import { startDav } from './server-fixture.ts';

test('a browser sees a clean listing with breadcrumbs, sizes, dates and snapshot links', async () => {
  const dav = await startDav();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const vfs = dav.server.vfs;
    await vfs.mkdir('/projects');
    await vfs.mkdir('/projects/report 2026');
    await vfs.mkdir('/projects/report 2026/figures');
    await vfs.writeFile('/projects/report 2026/draft.md', Buffer.from('# Draft\n'.repeat(300)));
    await vfs.writeFile('/projects/report 2026/data ünïcødé.csv', noise(1_500_000, 2));
    await vfs.mkdir('/.snapshots/2026-11-24-nightly');
    await vfs.writeFile('/projects/report 2026/budget.xlsx', noise(48_000, 3));
    await vfs.mkdir('/.snapshots/2026-11-25-before-review');
    await vfs.writeFile('/projects/report 2026/notes.txt', Buffer.from('call Ana\n'));
    const page = await browser.newPage({ httpCredentials: { username: dav.user, password: dav.pass }, viewport: { width: 1000, height: 560 } });
    const res = await page.goto(`${dav.url}projects/report%202026/`);
    assert.is(res?.status(), 200);
    assert.is(await page.title(), 'report 2026 — strata');
    const crumbs = await page.locator('h1 a').allTextContents();
    assert.equal(crumbs, ['home', 'projects', 'report 2026']);
    const names = await page.locator('tbody td:first-child > a:not(.dl)').allTextContents();
    assert.equal(names, ['..', 'figures/', 'budget.xlsx', 'data ünïcødé.csv', 'draft.md', 'notes.txt']);
    assert.ok((await page.locator('tbody').textContent())!.includes('1.4 MiB'));
    const snaps = await page.locator('ul.snaps a').evaluateAll((as) => as.map((a) => (a as unknown as { getAttribute(n: string): string }).getAttribute('href')));
    assert.equal(snaps, ['/.snapshots/2026-11-25-before-review/projects/report%202026/', '/.snapshots/2026-11-24-nightly/projects/report%202026/']);
    await page.locator('details').evaluate((d) => ((d as unknown as { open: boolean }).open = true));
    await withTmp(async (dir) => {
      await page.screenshot({ path: process.env.STRATA_WEBDAV_SCREENSHOT ?? join(dir, 'listing.png'), fullPage: true });
    });
    const download = await page.request.get(`${dav.url}projects/report%202026/notes.txt`);
    assert.is(await download.text(), 'call Ana\n');
    await page.goto(`${dav.url}.snapshots/2026-11-24-nightly/projects/report%202026/`);
    assert.match((await page.locator('.snapnote').textContent())!, /Read-only snapshot 2026-11-24-nightly/);
    assert.not.ok((await page.locator('tbody').textContent())!.includes('notes.txt'));
  } finally {
    await browser.close();
    await dav.close();
  }
});

test.run();

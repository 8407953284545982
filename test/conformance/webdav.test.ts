// Runs the conformance suite through strata's WebDAV frontend with node's fetch as the client.
import { runConformance } from './cases.ts';
import { webdavClient } from './webdav-driver.ts';
import { startDav } from '../webdav/server-fixture.ts';

runConformance('webdav', async () => {
  const dav = await startDav();
  return { client: webdavClient(dav.url, dav.user, dav.pass), close: () => dav.close() };
});

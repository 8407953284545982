// Runs the conformance suite through the FTP frontend with a real FTP client (basic-ftp), plain and over explicit FTPS.
import { startFtp, USER } from '../ftp/server.ts';
import { runConformance } from './cases.ts';
import { connectFtp, ftpClient } from './ftp-driver.ts';

for (const secure of [false, true]) {
  runConformance(`ftp (${secure ? 'explicit FTPS' : 'plain'})`, async () => {
    const srv = await startFtp({ tls: secure, chunkSizeAvg: 64 * 1024 });
    const connect = () => connectFtp(srv.port, USER.name, USER.password, secure);
    let client;
    try {
      client = await connect();
    } catch (err) {
      await srv.close();
      throw err;
    }
    const c = client;
    return {
      client: ftpClient(c, connect),
      close: async () => {
        c.close();
        await srv.close();
      },
    };
  });
}

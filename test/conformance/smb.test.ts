// Runs the conformance suite through strata's SMB server with impacket's SMB 2.1 client (signed).
import { runConformance } from './cases.ts';
import { smbClient } from './smb-driver.ts';
import { startSmb } from '../smb/harness.ts';

runConformance('smb (impacket, SMB 2.1 signed)', async () => {
  const f = await startSmb();
  try {
    const bridge = await smbClient('127.0.0.1', f.port, f.user, f.pass);
    return {
      client: bridge.client,
      close: async () => {
        await bridge.close();
        await f.stop();
      },
    };
  } catch (err) {
    await f.stop();
    throw err;
  }
});

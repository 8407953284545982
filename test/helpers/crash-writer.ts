// Child process for the crash test: writes files through the Vfs and prints "ACK <path>" once each
// write is acknowledged (close resolved); killed with SIGKILL at a random moment by the parent.
import { Archive } from '../../core/archive.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { crashContent } from './crash-content.ts';

const [archiveDir, roundArg] = process.argv.slice(2);
const round = Number(roundArg);
const archive = await Archive.open(archiveDir!, { password: () => 'pw' });
const vfs = createVfs(archive);
await vfs.mkdir(`/r${round}`);
process.stdout.write('READY\n');
for (let i = 0; ; i++) {
  const path = `/r${round}/f${i}`;
  const data = crashContent(round, i);
  if (i % 2 === 0) await vfs.writeFile(path, data);
  else {
    const f = await vfs.open(path, { write: true, create: true, exclusive: true });
    for (let at = 0; at < data.length; at += 50_000) await f.write(at, data.subarray(at, at + 50_000));
    await f.fsync();
    await f.close();
  }
  process.stdout.write(`ACK ${path}\n`);
  if (i % 7 === 6) await vfs.mkdir(`/.snapshots/r${round}-${i}`);
}

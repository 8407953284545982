// Child process for the serve test: a StrataServer running the mount frontend (as `strata serve --mount`
// does), plus a stand-in for another frontend that writes through the shared Vfs on command from stdin.
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { Archive } from '../../core/archive.ts';
import { StrataServer } from '../../core/server/server.ts';
import { start } from '../../mount/index.ts';

const [archiveDir, mountpoint] = process.argv.slice(2);
const archive = await Archive.open(archiveDir!, { password: () => 'pw' });
const server = new StrataServer(archive, { users: [], log: pino({ level: 'warn' }, pino.destination(2)) });
await server.start({ name: 'mount', start, options: { mountpoint } });
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
process.stdout.write('READY\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, path, ...rest] = line.split(' ');
  try {
    if (cmd === 'write') await server.vfs.writeFile(path!, Buffer.from(rest.join(' ')));
    else if (cmd === 'unlink') await server.vfs.unlink(path!);
    process.stdout.write('OK\n');
  } catch (err) {
    process.stdout.write(`ERR ${(err as Error).message}\n`);
  }
}

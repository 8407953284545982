// Runs @marsaud/smb2 against a strata SMB server in its own process (it needs `node --openssl-legacy-provider`
// for MD4/DES): writes, lists, reads back, renames and unlinks a file, then prints one JSON line of results.
import SMB2 from '@marsaud/smb2';

const [port, user, pass] = process.argv.slice(2);
const client = new SMB2({ share: '\\\\127.0.0.1\\share', domain: 'WORKGROUP', username: user!, password: pass!, port: Number(port), autoCloseTimeout: 0 });
try {
  const data = Buffer.from('hello from @marsaud/smb2\n'.repeat(100));
  await client.mkdir('mdir');
  await client.writeFile('mdir\\a.txt', data);
  const listed = await client.readdir('mdir');
  const back = await client.readFile('mdir\\a.txt');
  await client.rename('mdir\\a.txt', 'mdir\\b.txt');
  const afterRename = await client.readdir('mdir');
  await client.unlink('mdir\\b.txt');
  const existsAfterUnlink = await client.exists('mdir\\b.txt');
  await client.rmdir('mdir');
  console.log(JSON.stringify({ listed, same: back.equals(data), afterRename, existsAfterUnlink }));
} finally {
  client.disconnect();
}

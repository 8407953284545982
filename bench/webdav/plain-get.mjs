// A bare Node HTTP server for one file, read from the page cache with fs.createReadStream and piped
// to the socket: what this Node gives a large GET with no store, no id check and no WebDAV.
// usage: node plain-get.mjs FILE PORT [READ_BYTES]  (prints "ready" once listening)
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const [file, port, readBytes = String(1024 * 1024)] = process.argv.slice(2);
const size = statSync(file).size;
createServer((req, res) => {
  res.writeHead(200, { 'Content-Length': size });
  createReadStream(file, { highWaterMark: Number(readBytes) }).pipe(res);
}).listen(Number(port), '127.0.0.1', () => console.log('ready'));

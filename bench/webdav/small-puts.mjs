// Benchmark client: N small-file PUTs (4 KiB each) at concurrency C over keep-alive connections.
// usage: node small-puts.mjs BASE_URL USER PASS N C  → prints elapsed seconds; exits 1 on any non-2xx.
import { Agent, request } from 'node:http';

const [base, user, pass, n, c] = process.argv.slice(2);
const N = Number(n);
const C = Number(c);
const agent = new Agent({ keepAlive: true, maxSockets: C });
const auth = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const body = Buffer.alloc(4096, 'x');
const url = new URL(base);

function put(i) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, method: 'PUT', path: `${url.pathname.replace(/\/$/, '')}/f${i}.txt`, headers: { Authorization: auth, 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new Error(`PUT f${i}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let next = 0;
const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: C }, async () => {
  while (next < N) await put(next++);
}));
console.log((Number(process.hrtime.bigint() - started) / 1e9).toFixed(3));
agent.destroy();

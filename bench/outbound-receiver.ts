// bench/outbound's receiver, in a process of its own so that it does not share calsync's event loop:
// POST /hook answers 204 (or 503 while "down"); GET /stats tells what arrived; POST /mode/up|down switches.
// Prints its port on stdout.
import http from 'node:http';

let up = true;
let requests = 0;
let delivered = 0;
const latest = new Map<number, number>();
const ids = new Set<string>();

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ requests, delivered, distinctIds: ids.size, latest: Object.fromEntries(latest) }));
    return;
  }
  if (req.method === 'POST' && (req.url === '/mode/up' || req.url === '/mode/down')) {
    up = req.url === '/mode/up';
    res.writeHead(204).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    requests += 1;
    if (!up) {
      res.writeHead(503).end();
      return;
    }
    delivered += 1;
    ids.add(String(req.headers['webhook-id']));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { id: number; version: number } };
    latest.set(body.data.id, Math.max(latest.get(body.data.id) ?? 0, body.data.version));
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});

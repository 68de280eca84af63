// A TCP proxy in front of a real server (PostgreSQL), for outage tests that must not touch the machine's
// database, which other test files use at the same time. `cut()` behaves like the server going down: every
// open connection is closed at once and new ones are dropped as soon as they arrive; `restore()` brings it
// back. `freeze()` is the nastier network fault: connections stay open but no byte moves either way (bytes
// sent meanwhile are held, in order, and delivered on restore, as a healed network would). `blackhole()`
// is a network that loses everything for good: connections stay open, every byte either way is dropped,
// new connections are accepted and never reach the target; on restore the black-holed connections are
// closed (what they carried is lost) and new ones are forwarded again.
import net from 'node:net';

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** Closes every open connection (both sides) and drops new ones until restore(). */
  cut(): void;
  /** Stops forwarding on open connections and holds new ones unanswered, until restore(). */
  freeze(): void;
  /** Drops every byte on open connections and accepts new ones without forwarding, until restore(). */
  blackhole(): void;
  /** Forwards again: new connections reach the target; frozen ones resume with what they held. */
  restore(): void;
  /** Connections accepted since start, open now, and dropped by cut(). */
  stats(): { accepted: number; open: number; dropped: number };
  close(): Promise<void>;
}

type Mode = 'open' | 'cut' | 'frozen' | 'blackhole';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
  /** Bytes that arrived while frozen, with the side they go to. */
  held: { to: 'upstream' | 'client'; chunk: Buffer }[];
  /** Lost bytes while black-holed: this connection cannot be resumed. */
  lost: boolean;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = 'open';
  const pairs = new Set<Pair>();
  let accepted = 0;
  let dropped = 0;

  const closePair = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  const forward = (pair: Pair, to: 'upstream' | 'client', chunk: Buffer) => {
    const dest = to === 'client' ? pair.client : pair.upstream;
    if (mode === 'blackhole' || pair.lost) pair.lost = true;
    else if (mode === 'frozen' || !dest) pair.held.push({ to, chunk });
    else dest.write(chunk);
  };

  const connectUpstream = (pair: Pair) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('data', (chunk: Buffer) => forward(pair, 'client', chunk));
    upstream.on('error', () => closePair(pair));
    upstream.on('close', () => closePair(pair));
    flushHeld(pair);
  };

  const flushHeld = (pair: Pair) => {
    for (const { to, chunk } of pair.held.splice(0)) (to === 'client' ? pair.client : (pair.upstream as net.Socket)).write(chunk);
  };

  const server = net.createServer((client) => {
    accepted += 1;
    if (mode === 'cut') {
      dropped += 1;
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const pair: Pair = { client, upstream: null, held: [], lost: mode === 'blackhole' };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => forward(pair, 'upstream', chunk));
    client.on('error', () => closePair(pair));
    client.on('close', () => closePair(pair));
    // A frozen proxy accepts the connection but the target hears of it only on restore: the client waits.
    if (mode === 'open') connectUpstream(pair);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    cut() {
      mode = 'cut';
      for (const pair of [...pairs]) closePair(pair);
    },
    freeze() {
      mode = 'frozen';
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) pair.lost = true;
    },
    restore() {
      mode = 'open';
      for (const pair of [...pairs]) {
        if (pair.lost) {
          closePair(pair);
          continue;
        }
        if (pair.upstream) flushHeld(pair);
        else connectUpstream(pair);
      }
    },
    stats: () => ({ accepted, open: pairs.size, dropped }),
    async close() {
      mode = 'cut';
      for (const pair of [...pairs]) closePair(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: Pick<TcpProxy, 'host' | 'port'>): string {
  const u = new URL(url);
  u.hostname = proxy.host;
  u.port = String(proxy.port);
  return u.toString();
}

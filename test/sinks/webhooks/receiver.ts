// A real HTTP receiver for outbound webhooks (node:http on 127.0.0.1), recording every request, with a
// behaviour tests switch at will: answer 2xx, fail with a status (500, 302, ...), or hold the request
// without answering (a hung receiver; released on close).
import http from 'node:http';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  contentType: string;
  body: string;
  /** What the receiver answered (null: it never answered). */
  answered: number | null;
  /** Parsed body. */
  type: string;
  appointmentId: number;
  version: number;
}

export type Behaviour = { kind: 'ok'; delayMs?: number } | { kind: 'status'; status: number } | { kind: 'hang' };

export interface Receiver {
  url: string;
  requests: Received[];
  /** Requests answered 2xx. */
  delivered(): Received[];
  /** Requests held open right now. */
  hanging(): number;
  behave(behaviour: Behaviour | ((req: Received) => Behaviour)): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let behaviour: Behaviour | ((req: Received) => Behaviour) = { kind: 'ok' };
  const requests: Received[] = [];
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: { type?: string; data?: { id?: number; version?: number } } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // Recorded as is; the test will see a malformed body.
      }
      const received: Received = {
        id: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        contentType: String(req.headers['content-type'] ?? ''),
        body,
        answered: null,
        type: parsed.type ?? '',
        appointmentId: parsed.data?.id ?? -1,
        version: parsed.data?.version ?? -1,
      };
      requests.push(received);
      const b = typeof behaviour === 'function' ? behaviour(received) : behaviour;
      if (b.kind === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      const status = b.kind === 'ok' ? 204 : b.status;
      const answer = () => {
        if (res.destroyed) return;
        received.answered = status;
        res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
        res.end();
      };
      if (b.kind === 'ok' && b.delayMs) {
        held.add(res);
        res.on('close', () => held.delete(res));
        setTimeout(answer, b.delayMs);
      } else {
        answer();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    delivered: () => requests.filter((r) => r.answered !== null && r.answered >= 200 && r.answered < 300),
    hanging: () => held.size,
    behave(next) {
      behaviour = next;
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

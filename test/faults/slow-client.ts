// A misbehaving HTTP client on a raw socket: it sends part of a request (or nothing) and then trickles bytes
// or goes silent, and records what the server did about it (an answer, a close) and when.
import net from 'node:net';

export interface SlowClient {
  /** Resolves when the server closed the connection: the first bytes it answered (if any) and the delay. */
  readonly closed: Promise<{ answer: string; afterMs: number }>;
  /** Sends `bytes` now (ignored once closed). */
  send(bytes: string): void;
  /** Sends one byte of `text` every `everyMs`, until closed or stopped. */
  trickle(text: string, everyMs: number): void;
  destroy(): void;
}

export async function openSlowClient(url: string): Promise<SlowClient> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const opened = Date.now();
  let answer = '';
  let timer: NodeJS.Timeout | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (answer.length < 4096) answer += chunk;
  });
  socket.on('error', () => {});
  const closed = new Promise<{ answer: string; afterMs: number }>((resolve) => {
    socket.once('close', () => {
      if (timer) clearInterval(timer);
      resolve({ answer, afterMs: Date.now() - opened });
    });
  });
  return {
    closed,
    send(bytes) {
      if (!socket.destroyed) socket.write(bytes);
    },
    trickle(text, everyMs) {
      let i = 0;
      timer = setInterval(() => {
        if (socket.destroyed || i >= text.length) {
          if (timer) clearInterval(timer);
          return;
        }
        socket.write(text.charAt(i++));
      }, everyMs);
    },
    destroy() {
      if (timer) clearInterval(timer);
      socket.destroy();
    },
  };
}

/** The server's answer to `closed`, or 'still open' after `ms`. */
export async function closedWithin(client: SlowClient, ms: number): Promise<{ answer: string; afterMs: number } | 'still open'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still open'>((resolve) => {
    timer = setTimeout(() => resolve('still open'), ms);
  });
  try {
    return await Promise.race([client.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function postHeaders(path: string, contentLength: number): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Cal-Signature-256: ${'0'.repeat(64)}\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

// The CLI's HTTP calls to a calsync server: one request with a timeout, and the answer printed as is
// (status line, then the JSON body indented).
import type { CliIo } from './io.js';

export const CLI_REQUEST_TIMEOUT_MS = 120_000;

export interface HttpAnswer {
  status: number;
  text: string;
}

export class UnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const e = cause as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const reason = e?.name === 'TimeoutError' ? `no answer within ${CLI_REQUEST_TIMEOUT_MS / 1000} s` : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(cause));
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'UnreachableError';
  }
}

export async function request(method: string, url: string, headers: Record<string, string>, body?: string | Buffer): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(CLI_REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw new UnreachableError(url, err);
  }
  return { status: res.status, text: await res.text() };
}

export async function post(url: string, headers: Record<string, string>, body?: string | Buffer): Promise<HttpAnswer> {
  return request('POST', url, headers, body);
}

/** GET a JSON answer; null for any non-2xx or a body that is not JSON. Throws UnreachableError like post(). */
export async function getJson(url: string, headers: Record<string, string>, timeoutMs = CLI_REQUEST_TIMEOUT_MS): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new UnreachableError(url, err);
  }
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function printAnswer(io: CliIo, answer: HttpAnswer): void {
  io.out(`HTTP ${answer.status}`);
  if (answer.text === '') return;
  try {
    io.out(JSON.stringify(JSON.parse(answer.text), null, 2));
  } catch {
    io.out(answer.text);
  }
}

export function isSuccess(answer: HttpAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

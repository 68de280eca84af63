// Wire helpers for the emulator: body reading and Cal.com API v2's response envelopes. Errors use the NestJS
// exception names Cal.com really returns in `error.code` (e.g. "UnauthorizedException"), so a client written
// against the emulator handles the real API's errors too.

import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1024 * 1024;

const EXCEPTION_NAMES: Record<number, string> = {
  400: 'BadRequestException',
  401: 'UnauthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  409: 'ConflictException',
  429: 'ThrottlerException',
  500: 'InternalServerErrorException',
  502: 'BadGatewayException',
  503: 'ServiceUnavailableException',
  504: 'GatewayTimeoutException',
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** An error a route answers with; `messages` become `error.details.message` as NestJS's ValidationPipe does. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly messages: string[] = [message],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function badRequest(messages: string[]): ApiError {
  return new ApiError(400, messages.join('; '), messages);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, message);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, path: string, err: ApiError, extraHeaders: Record<string, string> = {}): void {
  sendJson(
    res,
    err.status,
    {
      status: 'error',
      timestamp: new Date().toISOString(),
      path,
      error: {
        code: EXCEPTION_NAMES[err.status] ?? 'HttpException',
        message: err.message,
        details: { message: err.messages, error: STATUS_TEXT[err.status] ?? 'Error', statusCode: err.status },
      },
    },
    { ...extraHeaders, ...err.headers },
  );
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'Request body too large');
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest(['Unexpected token in JSON body']);
  }
}

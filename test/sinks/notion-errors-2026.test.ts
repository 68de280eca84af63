// The pure parts of the 2026 handling: what a 429/529 body says (bounded before it reaches a log, the store
// or a page), and which Notion refusals are the Free plan's block cap (permanent, with a message saying so).
import { APIErrorCode, APIResponseError } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { BLOCK_LIMIT_FAILURE, classifyNotionError, isBlockLimitError } from '../../src/sinks/notion/errors.js';
import { throttleCause } from '../../src/sinks/notion/limited-fetch.js';
import { BLOCK_LIMIT_MESSAGE } from '../emulators/notion/index.js';

const AT = '2026-12-04T20:00:00.000Z';

function notionError(code: APIErrorCode, status: number, message: string, additional_data?: Record<string, string | string[]>): APIResponseError {
  return new APIResponseError({
    code,
    status,
    message,
    headers: new Headers(),
    rawBodyText: JSON.stringify({ object: 'error', status, code, message, additional_data }),
    additional_data,
    request_id: 'req-1',
  });
}

describe('throttleCause', () => {
  it("keeps a 429's code and rate_limit_reason, and says how long the sink waits and why", () => {
    const body = JSON.stringify({ object: 'error', status: 429, code: 'rate_limited', message: 'x', additional_data: { rate_limit_reason: 'workspace_rate_limit' } });
    expect(throttleCause(429, body, 90_000, true, AT)).toEqual({
      status: 429,
      code: 'rate_limited',
      reason: 'workspace_rate_limit',
      message: 'Notion rate limit hit (429 rate_limited, rate_limit_reason: workspace_rate_limit); the whole sink paused (Retry-After 90 s)',
      at: AT,
    });
  });

  it('says a 529 paused on backoff when Notion sent no Retry-After', () => {
    const cause = throttleCause(529, JSON.stringify({ code: 'service_overload' }), 1_500, false, AT);
    expect(cause).toMatchObject({ status: 529, code: 'service_overload', reason: null });
    expect(cause.message).toBe('Notion is overloaded (529 service_overload); the whole sink paused (no Retry-After; backoff 2 s)');
  });

  it('bounds and cleans what Notion sent, and survives bodies that are not JSON', () => {
    const hostile = JSON.stringify({ code: 'rate_limited', additional_data: { rate_limit_reason: ['<script>x</script>' + 'a'.repeat(10_000), 'second'] } });
    const cause = throttleCause(429, hostile, 1_000, true, AT);
    expect(cause.reason).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    expect(cause.reason?.startsWith('scriptxscript')).toBe(true);
    expect(throttleCause(429, '<html>502</html>', 1_000, false, AT)).toMatchObject({ code: 'rate_limited', reason: null });
    expect(throttleCause(429, JSON.stringify({ code: '\n\u0000' }), 1_000, false, AT).code).toBe('rate_limited');
  });
});

describe('the block cap', () => {
  it('is recognised by its message or its additional_data, whatever the code', () => {
    expect(isBlockLimitError(notionError(APIErrorCode.ValidationError, 400, BLOCK_LIMIT_MESSAGE))).toBe(true);
    expect(isBlockLimitError(notionError(APIErrorCode.RestrictedResource, 403, 'Plan restriction', { reason: 'workspace_block_limit_reached' }))).toBe(true);
    expect(isBlockLimitError(notionError(APIErrorCode.ValidationError, 400, 'body failed validation: body.children.length should be ≤ `100`, instead was `191`.'))).toBe(false);
    expect(isBlockLimitError(notionError(APIErrorCode.ValidationError, 400, 'Location is not a property that exists.'))).toBe(false);
    expect(isBlockLimitError(new Error('block limit'))).toBe(false);
  });

  it('is a permanent failure that says so, where an access problem would have been retried', () => {
    const failure = classifyNotionError(notionError(APIErrorCode.RestrictedResource, 403, 'This workspace has reached its block limit.'));
    expect(failure.kind).toBe('permanent');
    expect(failure.message).toBe(`${BLOCK_LIMIT_FAILURE} (restricted_resource: This workspace has reached its block limit.)`);
    expect(classifyNotionError(notionError(APIErrorCode.RestrictedResource, 403, 'Insufficient permissions for this endpoint.')).kind).toBe('transient');
    expect(classifyNotionError(notionError(APIErrorCode.ServiceOverload, 529, 'overloaded')).kind).toBe('transient');
  });
});

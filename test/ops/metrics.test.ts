// /metrics read over real HTTP after real traffic: webhook counts by trigger and result, signature
// failures, the intake latency histogram, the sync backlog from sink_state, and the Notion counters. Each
// app has its own registry, so two apps in one process keep separate counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { createMetrics } from '../../src/metrics.js';
import { notionSinkObserverFor } from '../../src/sinks/notion/metrics.js';
import { markSinkFailed } from '../../src/store/queries/sink-admin.js';
import { markSinksDirty } from '../../src/store/queries/sinks.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { startNotionWorkspace, type NotionWorkspace } from '../sinks/support/notion.js';
import { parseMetrics, scrape, waitFor } from './helpers.js';

describe.each(STORE_KINDS)('GET /metrics (%s)', (kind) => {
  let server: TestServer;
  let other: TestServer;
  let appointmentId = 0;

  beforeAll(async () => {
    server = await startTestServer({ kind });
    other = await startTestServer({ kind });
    const uid = makeBookingUid('metrics-1');
    const created = buildCalcomBody('BOOKING_CREATED', { uid });
    const first = await server.sendWebhook(created);
    appointmentId = ((await first.json()) as { appointment_id: number }).appointment_id;
    expect((await server.sendWebhook(created)).status).toBe(200);
    expect((await server.sendWebhook(buildCalcomBody('PING'))).status).toBe(200);
    expect((await server.sendWebhook(buildCalcomBody('BOOKING_NO_SHOW_UPDATED', { uid: makeBookingUid('metrics-unknown') }))).status).toBe(404);
    expect((await server.sendWebhook(created, { secret: 'whsec_wrong_secret' })).status).toBe(401);
    expect((await fetch(server.url + '/webhooks/calcom', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await server.sendWebhook({ triggerEvent: 'MADE_UP_{"x"}', payload: {} })).status).toBe(400);
    expect((await server.sendWebhook(null, { raw: '{broken' })).status).toBe(400);
  });

  afterAll(async () => {
    for (const s of [server, other]) {
      await s?.close();
      await s?.location.cleanup();
    }
  });

  it('is served without a bearer key in the Prometheus text format', async () => {
    const res = await fetch(server.url + '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# HELP calsync_webhooks_received_total /m);
    expect(text).toMatch(/^# TYPE calsync_intake_duration_seconds histogram$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('counts webhooks by trigger and result, with unknown trigger names folded into one label', async () => {
    const m = await scrape(server);
    expect(m.get('calsync_webhooks_received_total{trigger="BOOKING_CREATED",result="processed"}')).toBe(1);
    expect(m.get('calsync_webhooks_received_total{trigger="BOOKING_CREATED",result="duplicate"}')).toBe(1);
    expect(m.get('calsync_webhooks_received_total{trigger="PING",result="skipped"}')).toBe(1);
    expect(m.get('calsync_webhooks_received_total{trigger="BOOKING_NO_SHOW_UPDATED",result="parked"}')).toBe(1);
    expect(m.get('calsync_webhooks_received_total{trigger="unknown",result="rejected"}')).toBe(2);
    expect(m.get('calsync_webhooks_rejected_total{code="unsupported_event"}')).toBe(1);
    expect(m.get('calsync_webhooks_rejected_total{code="invalid_json"}')).toBe(1);
    expect([...m.keys()].some((k) => k.includes('MADE_UP'))).toBe(false);
  });

  it('counts signature failures by reason', async () => {
    const m = await scrape(server);
    expect(m.get('calsync_webhook_signature_failures_total{reason="mismatch"}')).toBe(1);
    expect(m.get('calsync_webhook_signature_failures_total{reason="missing"}')).toBe(1);
  });

  it('records intake latency as a histogram per result', async () => {
    const m = await scrape(server);
    expect(m.get('calsync_intake_duration_seconds_count{result="processed"}')).toBe(1);
    expect(m.get('calsync_intake_duration_seconds_bucket{le="+Inf",result="processed"}')).toBe(1);
    expect(m.get('calsync_intake_duration_seconds_sum{result="processed"}')).toBeGreaterThan(0);
    expect(m.get('calsync_intake_duration_seconds_count{result="parked"}')).toBe(1);
  });

  it('reports the sync backlog and the age of the oldest unsynced change from sink_state', async () => {
    const before = await scrape(server);
    // Notion is off here: no series of its own until a row exists (an enabled sink reports zeros).
    expect([...before.keys()].some((k) => k.startsWith('calsync_sync_backlog{sink="notion"'))).toBe(false);
    expect(before.get('calsync_metrics_store_up')).toBe(1);

    const now = new Date();
    await markSinkFailed(server.app.store.db, 'notion', appointmentId, 'Notion said 400', now.getTime(), now.toISOString());
    const m = await scrape(server);
    expect(m.get('calsync_sync_backlog{sink="notion",state="failed"}')).toBe(1);
    expect(m.get('calsync_sync_backlog{sink="notion",state="pending"}')).toBe(0);
    const age = m.get('calsync_sync_oldest_unsynced_age_seconds{sink="notion"}');
    expect(age).toBeGreaterThanOrEqual(0);
    // The appointment was last changed when its webhook arrived, before this test began.
    expect(age).toBeLessThan(3600);

    await markSinksDirty(server.app.store.db, appointmentId, ['notion'], Date.now(), new Date().toISOString());
    const after = await scrape(server);
    expect(after.get('calsync_sync_backlog{sink="notion",state="pending"}')).toBe(1);
    expect(after.get('calsync_sync_backlog{sink="notion",state="failed"}')).toBe(0);
  });

  it('keeps each app’s counts apart', async () => {
    const m = await scrape(other);
    expect([...m.entries()].filter(([k, v]) => k.startsWith('calsync_webhooks_received_total') && v > 0)).toEqual([]);
    expect((await other.sendWebhook(buildCalcomBody('PING'))).status).toBe(200);
    const after = await waitFor('the other app to count its PING', async () => (await scrape(other)).get('calsync_webhooks_received_total{trigger="PING",result="skipped"}'));
    expect(after).toBe(1);
    expect((await scrape(server)).get('calsync_webhooks_received_total{trigger="PING",result="skipped"}')).toBe(1);
  });
});

describe('Notion sink metrics', () => {
  it('counts requests by method and status, 429s, pauses, retries and syncs through notionSinkObserverFor', async () => {
    const metrics = createMetrics();
    const observer = notionSinkObserverFor(metrics);
    observer.request('POST', 200);
    observer.request('post', 200);
    observer.request('PATCH', 429);
    observer.request('GET', 0);
    observer.rateLimited(1500);
    observer.retried('rate_limited');
    observer.retried('rate_limited');
    observer.retried('sync_failed');
    observer.synced();
    observer.failed();
    const m = parseMetrics(await metrics.text());
    expect(m.get('calsync_notion_requests_total{method="POST",status="200"}')).toBe(2);
    expect(m.get('calsync_notion_requests_total{method="PATCH",status="429"}')).toBe(1);
    expect(m.get('calsync_notion_requests_total{method="GET",status="network_error"}')).toBe(1);
    expect(m.get('calsync_notion_rate_limited_total')).toBe(1);
    expect(m.get('calsync_notion_rate_limit_pause_seconds_total')).toBe(1.5);
    expect(m.get('calsync_notion_retries_total{reason="rate_limited"}')).toBe(2);
    expect(m.get('calsync_notion_retries_total{reason="sync_failed"}')).toBe(1);
    expect(m.get('calsync_notion_syncs_total{result="synced"}')).toBe(1);
    expect(m.get('calsync_notion_syncs_total{result="failed"}')).toBe(1);
    // Without a store the backlog is not guessed.
    expect(m.get('calsync_metrics_store_up')).toBe(0);
  });
});

describe.each(STORE_KINDS)('Notion metrics from the real sink against the emulator (%s)', (kind) => {
  let notion: NotionWorkspace | undefined;
  let server: TestServer | undefined;

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
  });

  it('shows requests, 429s, retries and syncs, and an empty backlog once synced', async () => {
    // The emulator allows 2 requests a second, one at a time; calsync is told it may send 50: it meets 429s.
    notion = await startNotionWorkspace({ rateLimit: { ratePerSecond: 2, burst: 1 } });
    server = await startTestServer({ kind, env: { ...notion.env(50), LOG_LEVEL: 'warn' } });
    const uids = [makeBookingUid(), makeBookingUid()];
    for (const uid of uids) expect((await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid }))).status).toBe(200);

    const synced = await waitFor(
      'both appointments mirrored',
      async () => {
        const m = await scrape(server!);
        const backlog = [...m.entries()].filter(([k]) => k.startsWith('calsync_sync_backlog{sink="notion"'));
        const empty = backlog.length === 4 && backlog.every(([, v]) => v === 0);
        return (m.get('calsync_notion_syncs_total{result="synced"}') ?? 0) >= 2 && empty ? m : undefined;
      },
      30_000,
    );
    const requests = [...synced.entries()].filter(([k]) => k.startsWith('calsync_notion_requests_total{'));
    expect(requests.some(([k, v]) => k.includes('status="200"') && v > 0)).toBe(true);
    expect(synced.get('calsync_notion_rate_limited_total')).toBeGreaterThanOrEqual(1);
    expect(synced.get('calsync_notion_retries_total{reason="rate_limited"}')).toBeGreaterThanOrEqual(1);
    expect(synced.get('calsync_notion_rate_limit_pause_seconds_total')).toBeGreaterThan(0);
    const served429 = notion.emulator.requests.filter((r) => r.status === 429).length;
    expect(served429).toBeGreaterThanOrEqual(1);
    expect(synced.get('calsync_sync_oldest_unsynced_age_seconds{sink="notion"}')).toBe(0);
    // The generic count by sink name, beside Notion's own.
    expect(synced.get('calsync_sink_syncs_total{sink="notion",result="synced"}')).toBeGreaterThanOrEqual(2);
  });
});

describe('sink metrics by registered name', () => {
  it('labels by sink name, folding names the registry does not list into one label', async () => {
    const metrics = createMetrics();
    metrics.sinkWork.synced('notion');
    metrics.sinkWork.failed('notion');
    metrics.sinkWork.retried('notion', 'sync_failed');
    metrics.sinkWork.synced('made-up-1');
    metrics.sinkWork.synced('made-up-2');
    const m = parseMetrics(await metrics.text());
    expect(m.get('calsync_sink_syncs_total{sink="notion",result="synced"}')).toBe(1);
    expect(m.get('calsync_sink_syncs_total{sink="notion",result="failed"}')).toBe(1);
    expect(m.get('calsync_sink_retries_total{sink="notion",reason="sync_failed"}')).toBe(1);
    expect(m.get('calsync_sink_syncs_total{sink="other",result="synced"}')).toBe(2);
    expect([...m.keys()].some((k) => k.includes('made-up'))).toBe(false);
  });
});

// /admin: a small server-rendered operator page (no scripts, no external assets).
// - Log in with INTERNAL_API_KEY through a POST form; the answer is an HttpOnly, SameSite=Strict session
//   cookie (admin/session.ts). The key never appears in a URL, a page or a cookie.
// - Every change is a POST form carrying the session's CSRF token; a POST whose Origin is another site is
//   refused before anything else. GET pages change nothing.
// - Pages: overview (last 24 h, appointments with their sync state, retry), event log and detail (raw
//   payload, replay), refused deliveries.
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CalsyncError, ERROR_TABLE } from '../../errors.js';
import { selectAppointments } from '../../store/queries/appointments.js';
import { selectEventLog, selectRejectedDeliveries, selectReplayIdsOf } from '../../store/queries/event-log.js';
import { selectEventById } from '../../store/queries/events.js';
import { retrySinkNow } from '../../store/queries/sink-admin.js';
import { selectSinkStates } from '../../store/queries/sinks.js';
import { ADMIN_PAGE_HEADERS } from '../admin/layout.js';
import { errorPage, eventDetailPage } from '../admin/pages/event-detail.js';
import { eventsPage, rejectedPage } from '../admin/pages/events.js';
import { loginPage } from '../admin/pages/login.js';
import { overviewPage } from '../admin/pages/overview.js';
import { appointmentPage } from '../admin/pages/appointment.js';
import { searchPage } from '../admin/pages/search.js';
import { signaturesPage } from '../admin/pages/signatures.js';
import { overviewCharts } from '../admin/chart-data.js';
import { countRefusedSignaturesOfDay, loadAppointmentPage, loadSearch, loadSignaturesPage, SEARCH_RESULTS_MAX, startBacklogSampler } from '../admin/loaders.js';
import { SEARCH_MAX_CHARS } from '../../store/queries/appointment-search.js';
import { webhookEndpointPage, webhookMessagePage, webhooksPage } from '../admin/pages/webhooks.js';
import { selectWebhookEndpoint, selectWebhookEndpoints } from '../../store/queries/webhook-endpoints.js';
import { countWebhookMessagesByState, selectRecentWebhookMessages, selectWebhookMessageById } from '../../store/queries/webhook-messages.js';
import { selectWebhookAttempts } from '../../store/queries/webhook-attempts.js';
import { AdminSessions, SESSION_COOKIE, SESSION_TTL_MS, type AdminSession } from '../admin/session.js';
import { summarizeLastDay } from '../admin/summary.js';
import { toCalsyncError } from '../error-handler.js';
import { safeEqual } from '../bearer-auth.js';
import type { ServerDeps } from '../server.js';
import { parseOrThrow } from '../validate.js';
import { replayEvent } from '../../intake/replay.js';
import { decodeCursor, encodeCursor } from '../cursor.js';

const ADMIN_PAGE_SIZE = 50;
const FORM_BODY_LIMIT_BYTES = 16 * 1024;

/** Fixed messages chosen by a code in the redirect, so a link cannot make the page say anything else. */
const NOTICES = {
  retried: { text: 'Sync queued: the worker picks it up now.' },
  nothing_to_retry: { text: 'That sync is not failed or backing off; nothing to retry.', error: true },
  replayed: { text: 'Replayed: this is the new log entry.' },
  logged_out: { text: 'Logged out.' },
} as const;
type NoticeCode = keyof typeof NOTICES;

const optionalText = (max: number) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).max(max).optional());

const noticeQuery = z.object({ notice: z.string().max(40).optional() });
const overviewQuery = noticeQuery.extend({ before_id: z.coerce.number().int().positive().optional() });
const eventsQuery = z.object({
  trigger: optionalText(100),
  result: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['processed', 'skipped', 'parked']).optional()),
  booking_uid: optionalText(200),
  appointment_id: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  cursor: optionalText(100),
});
const rejectedQuery = z.object({ cursor: optionalText(100) });
const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const loginForm = z.object({ key: z.string().max(1000) });
const csrfForm = z.object({ csrf: z.string().max(200) });
const webhookParams = z.object({ id: z.string().regex(/^ep_[A-Za-z0-9_-]{1,64}$/), messageId: z.string().regex(/^msg_[A-Za-z0-9_-]{1,64}$/).optional() });
const retryForm = csrfForm.extend({
  sink: z.string().min(1).max(50),
  appointment_id: z.coerce.number().int().positive(),
  /** Where to return: the appointment page, or (absent) the overview. */
  back: z.enum(['appointment']).optional(),
});
const searchQuery = z.object({ q: z.preprocess((v) => (v === undefined ? '' : v), z.string().max(SEARCH_MAX_CHARS)) });
const signaturesQuery = z.object({ cursor: optionalText(100) });

function noticeOf(code: string | undefined) {
  return code !== undefined && code in NOTICES ? NOTICES[code as NoticeCode] : null;
}

export async function adminRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  await app.register(fastifyCookie);
  const stopBacklogSampler = startBacklogSampler(deps.store, app.log);
  app.addHook('onClose', async () => stopBacklogSampler());
  const sessions = new AdminSessions(() => deps.store.db, deps.internalApiKey);
  /** Sessions already verified for a request, so the error page needs no store query (the store may be down). */
  const verified = new WeakMap<FastifyRequest, AdminSession | null>();
  const db = () => deps.store.db;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Errors here are pages, not JSON.
  app.setErrorHandler((err, request, reply) => {
    const known = toCalsyncError(err) ?? new CalsyncError('internal_error');
    if (known.status >= 500) request.log.error({ err }, 'admin page failed');
    return sendPage(reply.code(known.status), errorPage(known.status, known.message, verified.get(request)?.csrfToken));
  });

  // A cross-site POST is refused even before the cookie (SameSite=Strict) or the token would stop it.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return;
    const origin = request.headers.origin;
    if (origin === undefined) return;
    let sameSite = false;
    try {
      sameSite = new URL(origin).host === request.headers.host;
    } catch {
      sameSite = false;
    }
    if (!sameSite) throw new CalsyncError('forbidden', 'Cross-site form submission refused');
  });

  async function sessionOf(request: FastifyRequest): Promise<AdminSession | null> {
    const session = await sessions.verify(request.cookies?.[SESSION_COOKIE]);
    verified.set(request, session);
    return session;
  }

  /** The session of a page request; without one the visitor is sent to the login page. */
  async function pageSession(request: FastifyRequest, reply: FastifyReply): Promise<AdminSession | null> {
    const session = await sessionOf(request);
    if (!session) void reply.redirect('/admin', 303);
    return session;
  }

  /** The session of a POST, with its CSRF token checked. */
  async function actionSession(request: FastifyRequest): Promise<{ session: AdminSession; form: Record<string, unknown> }> {
    const session = await sessionOf(request);
    if (!session) throw new CalsyncError('unauthorized', 'Your session has ended; log in again');
    const form = (request.body ?? {}) as Record<string, unknown>;
    if (!sessions.csrfValid(session, form.csrf)) throw new CalsyncError('forbidden', 'The form is stale or not from this site (CSRF token mismatch); reload the page');
    return { session, form };
  }

  app.get('/admin', async (request, reply) => {
    const q = parseOrThrow(overviewQuery, request.query);
    const session = await sessionOf(request);
    if (!session) return sendPage(reply, loginPage(null, noticeOf(q.notice)));
    const rows = await selectAppointments(db(), { limit: ADMIN_PAGE_SIZE, beforeId: q.before_id });
    const sinks = await selectSinkStates(db(), rows.map((r) => r.id));
    const last = rows[rows.length - 1];
    const nowMs = Date.now();
    return sendPage(
      reply,
      overviewPage({
        summary: await summarizeLastDay(db(), nowMs),
        refusedSignatures: await countRefusedSignaturesOfDay(deps.store, nowMs),
        charts: await overviewCharts(db(), nowMs),
        beforeId: q.before_id ?? null,
        appointments: rows.map((row) => ({ row, sinks: sinks.filter((s) => s.appointment_id === row.id) })),
        nextBeforeId: rows.length === ADMIN_PAGE_SIZE && last ? last.id : null,
        csrfToken: session.csrfToken,
        notice: noticeOf(q.notice),
      }),
    );
  });

  app.post('/admin/login', async (request, reply) => {
    const { key } = parseOrThrow(loginForm, request.body ?? {});
    const right = safeEqual(key, deps.internalApiKey());
    // Wrong keys are counted per client address; a locked-out address gets 429 (src/http/auth-throttle.ts).
    await request.server.authThrottle?.check(request, reply, right ? 'ok' : 'wrong');
    if (!right) {
      request.log.warn({ ip: request.ip }, 'admin login refused');
      return sendPage(reply.code(ERROR_TABLE.unauthorized.status), loginPage('That key is not right.'));
    }
    const { cookie } = await sessions.issue();
    void reply.setCookie(SESSION_COOKIE, cookie, {
      path: '/admin',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    request.log.info({ ip: request.ip }, 'admin login');
    return reply.redirect('/admin', 303);
  });

  app.post('/admin/logout', async (request, reply) => {
    const { session } = await actionSession(request);
    await sessions.revoke(session);
    void reply.clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
    return reply.redirect('/admin?notice=logged_out', 303);
  });

  app.get('/admin/events', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const q = parseOrThrow(eventsQuery, request.query);
    const rows = await selectEventLog(db(), {
      trigger: q.trigger,
      result: q.result,
      bookingUid: q.booking_uid,
      appointmentId: q.appointment_id,
      beforeId: q.cursor ? decodeCursor('events', q.cursor) : undefined,
      limit: ADMIN_PAGE_SIZE,
    });
    const last = rows[rows.length - 1];
    const { cursor: _cursor, ...filters } = q;
    return sendPage(
      reply,
      eventsPage({ rows, filters, nextCursor: rows.length === ADMIN_PAGE_SIZE && last ? encodeCursor('events', last.id) : null, csrfToken: session.csrfToken }),
    );
  });

  app.get('/admin/events/:id', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const { id } = parseOrThrow(idParams, request.params);
    const q = parseOrThrow(noticeQuery, request.query);
    const row = await selectEventById(db(), id);
    if (!row) throw new CalsyncError('event_not_found', `No event ${id}`);
    return sendPage(reply, eventDetailPage({ row, replays: await selectReplayIdsOf(db(), id), csrfToken: session.csrfToken, notice: noticeOf(q.notice) }));
  });

  app.get('/admin/rejected', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const q = parseOrThrow(rejectedQuery, request.query);
    const rows = await selectRejectedDeliveries(db(), { limit: ADMIN_PAGE_SIZE, beforeId: q.cursor ? decodeCursor('rejected', q.cursor) : undefined });
    const last = rows[rows.length - 1];
    return sendPage(reply, rejectedPage(rows, rows.length === ADMIN_PAGE_SIZE && last ? encodeCursor('rejected', last.id) : null, session.csrfToken));
  });

  // Outbound webhooks: endpoints, one endpoint's recent messages, one message's attempts.
  app.get('/admin/webhooks', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const endpoints = [];
    for (const row of await selectWebhookEndpoints(db())) endpoints.push({ row, messages: await countWebhookMessagesByState(db(), row.id) });
    return sendPage(reply, webhooksPage({ endpoints, csrfToken: session.csrfToken }));
  });

  app.get('/admin/webhooks/:id', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const { id } = parseOrThrow(webhookParams, request.params);
    const endpoint = await selectWebhookEndpoint(db(), id);
    if (!endpoint) throw new CalsyncError('endpoint_not_found', `No webhook endpoint ${id}`);
    const [messages, counts] = [await selectRecentWebhookMessages(db(), id, ADMIN_PAGE_SIZE), await countWebhookMessagesByState(db(), id)];
    return sendPage(reply, webhookEndpointPage({ endpoint, messages, counts, csrfToken: session.csrfToken }));
  });

  app.get('/admin/webhooks/:id/messages/:messageId', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const { id, messageId } = parseOrThrow(webhookParams, request.params);
    const endpoint = await selectWebhookEndpoint(db(), id);
    const message = messageId ? await selectWebhookMessageById(db(), messageId) : undefined;
    if (!endpoint || !message || message.endpoint_id !== id) throw new CalsyncError('not_found', 'No such message (a newer version may have replaced it)');
    return sendPage(reply, webhookMessagePage({ endpoint, message, attempts: await selectWebhookAttempts(db(), message.message_id), csrfToken: session.csrfToken }));
  });

  app.get('/admin/appointments/:id', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const { id } = parseOrThrow(idParams, request.params);
    const q = parseOrThrow(noticeQuery, request.query);
    const data = await loadAppointmentPage(deps.store, id);
    if (!data) throw new CalsyncError('appointment_not_found', `No appointment ${id}`);
    if ('redirectTo' in data) return reply.redirect(`/admin/appointments/${data.redirectTo}`, 303);
    return sendPage(reply, appointmentPage({ ...data, csrfToken: session.csrfToken, notice: noticeOf(q.notice) }));
  });

  app.get('/admin/search', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const q = parseOrThrow(searchQuery, request.query).q.trim();
    return sendPage(reply, searchPage({ q, rows: await loadSearch(deps.store, q), limit: SEARCH_RESULTS_MAX, csrfToken: session.csrfToken }));
  });

  app.get('/admin/signatures', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const q = parseOrThrow(signaturesQuery, request.query);
    const data = await loadSignaturesPage(deps.store, Date.now(), q.cursor ? decodeCursor('signatures', q.cursor) : undefined);
    return sendPage(reply, signaturesPage({ ...data, csrfToken: session.csrfToken }));
  });

  app.post('/admin/sync/retry', async (request, reply) => {
    const { form } = await actionSession(request);
    const { sink, appointment_id } = parseOrThrow(retryForm, form);
    const now = new Date();
    const retried = await retrySinkNow(db(), sink, appointment_id, now.getTime(), now.toISOString());
    request.log.info({ sink, appointment_id, retried }, 'admin retry sync');
    const back = parseOrThrow(retryForm, form).back === 'appointment' ? `/admin/appointments/${appointment_id}` : '/admin';
    return reply.redirect(`${back}?notice=${retried ? 'retried' : 'nothing_to_retry'}`, 303);
  });

  app.post('/admin/events/:id/replay', async (request, reply) => {
    await actionSession(request);
    const { id } = parseOrThrow(idParams, request.params);
    const { outcome } = await replayEvent(deps, id, 'admin');
    return reply.redirect(`/admin/events/${outcome.eventId}?notice=replayed`, 303);
  });
}

function sendPage(reply: FastifyReply, body: string): FastifyReply {
  return reply.headers(ADMIN_PAGE_HEADERS).send(body);
}

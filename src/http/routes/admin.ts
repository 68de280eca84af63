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
import { AdminSessions, SESSION_COOKIE, SESSION_TTL_MS, type AdminSession } from '../admin/session.js';
import { summarizeLastDay } from '../admin/summary.js';
import { toCalsyncError } from '../error-handler.js';
import { safeEqual } from '../bearer-auth.js';
import type { ServerDeps } from '../server.js';
import { parseOrThrow } from '../validate.js';
import { decodeCursor, encodeCursor } from './events.js';
import { replayEvent } from './event-replay.js';

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
const retryForm = csrfForm.extend({ sink: z.string().min(1).max(50), appointment_id: z.coerce.number().int().positive() });

function noticeOf(code: string | undefined) {
  return code !== undefined && code in NOTICES ? NOTICES[code as NoticeCode] : null;
}

export async function adminRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  await app.register(fastifyCookie);
  const sessions = new AdminSessions(deps.internalApiKey);
  const db = () => deps.store.db;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Errors here are pages, not JSON.
  app.setErrorHandler((err, request, reply) => {
    const known = toCalsyncError(err) ?? new CalsyncError('internal_error');
    if (known.status >= 500) request.log.error({ err }, 'admin page failed');
    return sendPage(reply.code(known.status), errorPage(known.status, known.message, sessionOf(request)?.csrfToken));
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

  function sessionOf(request: FastifyRequest): AdminSession | null {
    return sessions.verify(request.cookies?.[SESSION_COOKIE]);
  }

  /** The session of a page request; without one the visitor is sent to the login page. */
  function pageSession(request: FastifyRequest, reply: FastifyReply): AdminSession | null {
    const session = sessionOf(request);
    if (!session) void reply.redirect('/admin', 303);
    return session;
  }

  /** The session of a POST, with its CSRF token checked. */
  function actionSession(request: FastifyRequest): { session: AdminSession; form: Record<string, unknown> } {
    const session = sessionOf(request);
    if (!session) throw new CalsyncError('unauthorized', 'Your session has ended; log in again');
    const form = (request.body ?? {}) as Record<string, unknown>;
    if (!sessions.csrfValid(session, form.csrf)) throw new CalsyncError('forbidden', 'The form is stale or not from this site (CSRF token mismatch); reload the page');
    return { session, form };
  }

  app.get('/admin', async (request, reply) => {
    const q = parseOrThrow(overviewQuery, request.query);
    const session = sessionOf(request);
    if (!session) return sendPage(reply, loginPage(null, noticeOf(q.notice)));
    const rows = await selectAppointments(db(), { limit: ADMIN_PAGE_SIZE, beforeId: q.before_id });
    const sinks = await selectSinkStates(db(), rows.map((r) => r.id));
    const last = rows[rows.length - 1];
    return sendPage(
      reply,
      overviewPage({
        summary: await summarizeLastDay(db(), Date.now()),
        appointments: rows.map((row) => ({ row, sinks: sinks.filter((s) => s.appointment_id === row.id) })),
        nextBeforeId: rows.length === ADMIN_PAGE_SIZE && last ? last.id : null,
        csrfToken: session.csrfToken,
        notice: noticeOf(q.notice),
      }),
    );
  });

  app.post('/admin/login', async (request, reply) => {
    const { key } = parseOrThrow(loginForm, request.body ?? {});
    if (!safeEqual(key, deps.internalApiKey())) {
      request.log.warn({ ip: request.ip }, 'admin login refused');
      return sendPage(reply.code(ERROR_TABLE.unauthorized.status), loginPage('That key is not right.'));
    }
    const { cookie } = sessions.issue();
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
    const { session } = actionSession(request);
    sessions.revoke(session);
    void reply.clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict' });
    return reply.redirect('/admin?notice=logged_out', 303);
  });

  app.get('/admin/events', async (request, reply) => {
    const session = pageSession(request, reply);
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
    const session = pageSession(request, reply);
    if (!session) return reply;
    const { id } = parseOrThrow(idParams, request.params);
    const q = parseOrThrow(noticeQuery, request.query);
    const row = await selectEventById(db(), id);
    if (!row) throw new CalsyncError('event_not_found', `No event ${id}`);
    return sendPage(reply, eventDetailPage({ row, replays: await selectReplayIdsOf(db(), id), csrfToken: session.csrfToken, notice: noticeOf(q.notice) }));
  });

  app.get('/admin/rejected', async (request, reply) => {
    const session = pageSession(request, reply);
    if (!session) return reply;
    const q = parseOrThrow(rejectedQuery, request.query);
    const rows = await selectRejectedDeliveries(db(), { limit: ADMIN_PAGE_SIZE, beforeId: q.cursor ? decodeCursor('rejected', q.cursor) : undefined });
    const last = rows[rows.length - 1];
    return sendPage(reply, rejectedPage(rows, rows.length === ADMIN_PAGE_SIZE && last ? encodeCursor('rejected', last.id) : null, session.csrfToken));
  });

  app.post('/admin/sync/retry', async (request, reply) => {
    const { form } = actionSession(request);
    const { sink, appointment_id } = parseOrThrow(retryForm, form);
    const now = new Date();
    const retried = await retrySinkNow(db(), sink, appointment_id, now.getTime(), now.toISOString());
    request.log.info({ sink, appointment_id, retried }, 'admin retry sync');
    return reply.redirect(`/admin?notice=${retried ? 'retried' : 'nothing_to_retry'}`, 303);
  });

  app.post('/admin/events/:id/replay', async (request, reply) => {
    actionSession(request);
    const { id } = parseOrThrow(idParams, request.params);
    const { outcome } = await replayEvent(deps, id, 'admin');
    return reply.redirect(`/admin/events/${outcome.eventId}?notice=replayed`, 303);
  });
}

function sendPage(reply: FastifyReply, body: string): FastifyReply {
  return reply.headers(ADMIN_PAGE_HEADERS).send(body);
}

// Mutated realistic Cal.com bodies: a real sample (src/calcom/samples.ts) for any trigger, then fields
// deleted, retyped, renamed or added anywhere in the tree, sometimes the whole body replaced, then the
// serialised bytes damaged (truncated, garbage spliced in, a BOM, invalid UTF-8, pretty-printed).
// Deterministic for a given fast-check seed: every sample option that would default to "now" or to a
// random uid is fixed.
import fc from 'fast-check';
import { buildCalcomBody, makeBookingUid, SAMPLE_TRIGGERS, type SampleTrigger } from '../../../src/calcom/samples.js';
import { describeValue, fuzzValue, materialise, RawFragments, type FuzzValue } from './values.js';

/** Few enough uids that mutated cancellations, reschedules and duplicates often hit a stored booking. */
const UID_POOL_SIZE = 40;
const FIXED_CREATED_AT = '2031-01-01T00:00:00.000Z';
const SLOT_EPOCH_MS = Date.UTC(2032, 0, 5, 9);
const SLOT_MS = 30 * 60_000;

export const fuzzUid = (n: number): string => makeBookingUid(`fuzz-uid:${n}`);

export interface BaseBody {
  trigger: SampleTrigger;
  uid: number;
  previousUid: number;
  slot: number;
}

export const baseBody: fc.Arbitrary<BaseBody> = fc.record({
  trigger: fc.constantFrom(...SAMPLE_TRIGGERS),
  uid: fc.nat(UID_POOL_SIZE - 1),
  previousUid: fc.nat(UID_POOL_SIZE - 1),
  slot: fc.nat(200),
});

export function buildBase(b: BaseBody): Record<string, unknown> {
  const start = SLOT_EPOCH_MS + b.slot * SLOT_MS;
  return buildCalcomBody(b.trigger, {
    uid: fuzzUid(b.uid),
    createdAt: FIXED_CREATED_AT,
    startTime: new Date(start).toISOString(),
    endTime: new Date(start + SLOT_MS).toISOString(),
    ...(b.trigger === 'BOOKING_RESCHEDULED' ? { rescheduleUid: fuzzUid(b.previousUid) } : {}),
  });
}

export type TreeMutation =
  | { kind: 'delete'; at: number }
  | { kind: 'set'; at: number; value: FuzzValue }
  | { kind: 'rename'; at: number; name: string }
  | { kind: 'add'; at: number; name: string; value: FuzzValue }
  | { kind: 'replaceBody'; value: FuzzValue };

const fieldName = fc.oneof(fc.constantFrom('uid', 'triggerEvent', 'payload', 'startTime', 'email', 'attendees', 'metadata', '__proto__', 'constructor', ''), fc.string({ maxLength: 12 }));

export const treeMutation: fc.Arbitrary<TreeMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((at) => ({ kind: 'delete', at }) as const) },
  { weight: 6, arbitrary: fc.record({ at: fc.nat(), value: fuzzValue }).map((m) => ({ kind: 'set', ...m }) as const) },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(), name: fieldName }).map((m) => ({ kind: 'rename', ...m }) as const) },
  { weight: 2, arbitrary: fc.record({ at: fc.nat(), name: fieldName, value: fuzzValue }).map((m) => ({ kind: 'add', ...m }) as const) },
  { weight: 1, arbitrary: fuzzValue.map((value) => ({ kind: 'replaceBody', value }) as const) },
);

export type ByteMutation =
  | { kind: 'none' }
  | { kind: 'pretty' }
  | { kind: 'truncate'; keep: number }
  | { kind: 'splice'; at: number; text: string }
  | { kind: 'bom' }
  | { kind: 'invalidUtf8'; at: number }
  | { kind: 'empty' };

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'none' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pretty' } as const) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((keep) => ({ kind: 'truncate', keep }) as const) },
  { weight: 2, arbitrary: fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }) }).map((m) => ({ kind: 'splice', ...m }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' } as const) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: 'invalidUtf8', at }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' } as const) },
);

export interface BodySpec {
  base: BaseBody;
  mutations: TreeMutation[];
  bytes: ByteMutation;
}

export const bodySpec: fc.Arbitrary<BodySpec> = fc.record({
  base: baseBody,
  mutations: fc.array(treeMutation, { minLength: 0, maxLength: 4 }),
  bytes: byteMutation,
});

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Every position in the tree (object members and array items), depth first. */
function slotsOf(root: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push({ parent: node, key: i });
        walk(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        const child = (node as Record<string, unknown>)[key];
        out.push({ parent: node as Record<string, unknown>, key });
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

function containersOf(root: unknown): (Record<string, unknown> | unknown[])[] {
  const out: (Record<string, unknown> | unknown[])[] = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    out.push(node as Record<string, unknown> | unknown[]);
    for (const child of Array.isArray(node) ? node : Object.values(node)) walk(child);
  };
  walk(root);
  return out;
}

function setMember(parent: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  if (Array.isArray(parent)) parent[Number(key)] = value;
  // defineProperty so that a key named __proto__ becomes a member, as JSON.parse would make it.
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

function applyTreeMutation(body: unknown, m: TreeMutation, raw: RawFragments): unknown {
  if (m.kind === 'replaceBody') return materialise(m.value, raw);
  if (m.kind === 'add') {
    const containers = containersOf(body);
    const target = containers[m.at % Math.max(1, containers.length)];
    if (!target) return body;
    if (Array.isArray(target)) target.push(materialise(m.value, raw));
    else setMember(target, m.name, materialise(m.value, raw));
    return body;
  }
  const slots = slotsOf(body);
  const slot = slots[m.at % Math.max(1, slots.length)];
  if (!slot) return body;
  const { parent, key } = slot;
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key as string];
      return body;
    case 'set':
      setMember(parent, key, materialise(m.value, raw));
      return body;
    case 'rename': {
      if (Array.isArray(parent)) return body;
      const value = parent[key as string];
      delete parent[key as string];
      setMember(parent, m.name, value);
      return body;
    }
  }
}

function applyByteMutation(text: string, m: ByteMutation, pretty: () => string): Buffer {
  switch (m.kind) {
    case 'none':
      return Buffer.from(text, 'utf8');
    case 'pretty':
      return Buffer.from(pretty(), 'utf8');
    case 'truncate':
      return Buffer.from(text, 'utf8').subarray(0, Math.floor(Buffer.byteLength(text) * m.keep));
    case 'splice': {
      const at = Math.floor(text.length * m.at);
      return Buffer.from(text.slice(0, at) + m.text + text.slice(at), 'utf8');
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'invalidUtf8': {
      const bytes = Buffer.from(text, 'utf8');
      const at = Math.floor(bytes.length * m.at);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), bytes.subarray(at)]);
    }
    case 'empty':
      return Buffer.alloc(0);
  }
}

/** The exact bytes for a spec. */
export function renderBody(spec: BodySpec): Buffer {
  const raw = new RawFragments();
  let body: unknown = buildBase(spec.base);
  for (const m of spec.mutations) body = applyTreeMutation(body, m, raw);
  // JSON.stringify(undefined) is undefined: a body mutated into nothing is sent as an empty body.
  const compact = raw.expandMarkers(JSON.stringify(body) ?? '');
  return applyByteMutation(compact, spec.bytes, () => raw.expandMarkers(JSON.stringify(body, null, 2) ?? ''));
}

export function describeBody(spec: BodySpec): string {
  const ms = spec.mutations.map((m) => {
    switch (m.kind) {
      case 'delete':
        return `delete#${m.at}`;
      case 'set':
        return `set#${m.at}=${describeValue(m.value)}`;
      case 'rename':
        return `rename#${m.at}→${JSON.stringify(m.name)}`;
      case 'add':
        return `add#${m.at}.${JSON.stringify(m.name)}=${describeValue(m.value)}`;
      case 'replaceBody':
        return `body=${describeValue(m.value)}`;
    }
  });
  return `${spec.base.trigger}(uid ${spec.base.uid}) [${ms.join(', ')}] bytes:${spec.bytes.kind}`;
}

// The two databases' schemas: what `calsync notion init` creates, and the start-up check that a configured
// database has every property the mapping writes, with the right type, naming precisely what is not so.
import {
  CLIENT_PROPERTIES,
  SESSION_PROPERTIES,
  type NotionPropertyType,
  type PropertyNames,
  type PropertySpec,
} from './property-names.js';

/** The Status options, in the order a person reads a session's life. */
export const SESSION_STATUSES = ['Requested', 'Scheduled', 'Rescheduled', 'Cancelled', 'Rejected', 'Completed', 'No-show'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

const STATUS_COLORS: Record<SessionStatus, string> = {
  Requested: 'yellow',
  Scheduled: 'blue',
  Rescheduled: 'purple',
  Cancelled: 'red',
  Rejected: 'brown',
  Completed: 'green',
  'No-show': 'orange',
};

/** The property a person sees on a client page for that client's sessions (two-way relation). */
export const CLIENT_SESSIONS_RELATION_NAME = 'Sessions';

/** `initial_data_source.properties` of the Clients database. */
export function clientsSchemaRequest(names: PropertyNames): Record<string, unknown> {
  return schemaRequest(CLIENT_PROPERTIES, names.clients, () => ({}));
}

/** `initial_data_source.properties` of the Sessions database, related to the Clients data source. */
export function sessionsSchemaRequest(names: PropertyNames, clientsDataSourceId: string): Record<string, unknown> {
  return schemaRequest(SESSION_PROPERTIES, names.sessions, (type) => {
    if (type === 'select') return { options: SESSION_STATUSES.map((name) => ({ name, color: STATUS_COLORS[name] })) };
    if (type === 'relation') {
      return { data_source_id: clientsDataSourceId, type: 'dual_property', dual_property: { synced_property_name: CLIENT_SESSIONS_RELATION_NAME } };
    }
    return {};
  });
}

function schemaRequest(
  specs: Record<string, PropertySpec>,
  names: Record<string, string | null>,
  config: (type: NotionPropertyType) => Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const name = names[key];
    if (name) out[name] = { [spec.type]: config(spec.type) };
  }
  return out;
}

/** A data source's `properties` as GET /v1/data_sources/:id returns them. */
export type SchemaProperties = Record<string, { id?: string; type?: string; relation?: { data_source_id?: string } } | undefined>;

export interface SchemaProblem {
  property: string;
  expected: NotionPropertyType;
  /** undefined when the property is missing. */
  actual?: string;
  /** Set for a relation pointing at the wrong data source. */
  detail?: string;
}

export function checkClientsSchema(properties: SchemaProperties, names: PropertyNames): SchemaProblem[] {
  return checkSchema(properties, CLIENT_PROPERTIES, names.clients, null);
}

export function checkSessionsSchema(properties: SchemaProperties, names: PropertyNames, clientsDataSourceId: string): SchemaProblem[] {
  return checkSchema(properties, SESSION_PROPERTIES, names.sessions, clientsDataSourceId);
}

function checkSchema(
  properties: SchemaProperties,
  specs: Record<string, PropertySpec>,
  names: Record<string, string | null>,
  relationTarget: string | null,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const [key, spec] of Object.entries(specs)) {
    const name = names[key];
    if (!name) continue;
    const actual = properties[name];
    if (actual === undefined) problems.push({ property: name, expected: spec.type });
    else if (actual.type !== spec.type) problems.push({ property: name, expected: spec.type, actual: actual.type ?? 'unknown' });
    else if (spec.type === 'relation' && relationTarget !== null && !sameId(actual.relation?.data_source_id, relationTarget)) {
      problems.push({ property: name, expected: spec.type, actual: 'relation', detail: 'relates to another database than Clients' });
    }
  }
  return problems;
}

function sameId(a: string | undefined, b: string): boolean {
  return a !== undefined && a.replace(/-/g, '').toLowerCase() === b.replace(/-/g, '').toLowerCase();
}

/** One line: `missing "When" (date), "Status" (select); "Organizer" is rich_text, expected email`. */
export function describeSchemaProblems(problems: readonly SchemaProblem[]): string {
  const missing = problems.filter((p) => p.actual === undefined).map((p) => `"${p.property}" (${p.expected})`);
  const wrong = problems
    .filter((p) => p.actual !== undefined)
    .map((p) => (p.detail ? `"${p.property}" ${p.detail}` : `"${p.property}" is ${p.actual}, expected ${p.expected}`));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
  if (wrong.length > 0) parts.push(wrong.join('; '));
  return parts.join('; ');
}

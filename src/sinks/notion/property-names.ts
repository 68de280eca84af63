// Which Notion property each value goes to. The defaults are the contract's schema (what `calsync notion
// init` creates); NOTION_PROPERTY_NAMES renames them for databases that already exist, e.g.
//   NOTION_PROPERTY_NAMES='{"sessions":{"When":"Date","Notes":null},"clients":{"Name":"Full name"}}'
// Keys are the default names; a value is the property's name in your database, or null to leave an optional
// property out (it is then neither written nor checked). Title, email, relation, date, status and Booking
// UID properties are required.
import { z } from 'zod';
import { ConfigError } from '../../config.js';

export const NOTION_PROPERTY_NAMES_VARIABLE = 'NOTION_PROPERTY_NAMES';

/** The Notion type each property must have. */
export type NotionPropertyType = 'title' | 'rich_text' | 'email' | 'phone_number' | 'date' | 'select' | 'relation';

export interface PropertySpec {
  type: NotionPropertyType;
  /** May be mapped to null (left out). */
  optional: boolean;
}

export const CLIENT_PROPERTIES = {
  Name: { type: 'title', optional: false },
  Email: { type: 'email', optional: false },
  Phone: { type: 'phone_number', optional: true },
} as const satisfies Record<string, PropertySpec>;

export const SESSION_PROPERTIES = {
  Name: { type: 'title', optional: false },
  Client: { type: 'relation', optional: true },
  When: { type: 'date', optional: false },
  Status: { type: 'select', optional: false },
  'Booking UID': { type: 'rich_text', optional: false },
  'Event Type': { type: 'rich_text', optional: true },
  Organizer: { type: 'email', optional: true },
  Location: { type: 'rich_text', optional: true },
  Notes: { type: 'rich_text', optional: true },
  Reason: { type: 'rich_text', optional: true },
} as const satisfies Record<string, PropertySpec>;

export type ClientProperty = keyof typeof CLIENT_PROPERTIES;
export type SessionProperty = keyof typeof SESSION_PROPERTIES;

export interface PropertyNames {
  /** Default name → the database's name, or null when left out. */
  clients: Record<ClientProperty, string | null>;
  sessions: Record<SessionProperty, string | null>;
}

export const DEFAULT_PROPERTY_NAMES: PropertyNames = {
  clients: identity(CLIENT_PROPERTIES),
  sessions: identity(SESSION_PROPERTIES),
};

function identity<K extends string>(specs: Record<K, PropertySpec>): Record<K, string> {
  return Object.fromEntries(Object.keys(specs).map((k) => [k, k])) as Record<K, string>;
}

const propertyName = z.string().trim().min(1).max(100);

function overridesFor(specs: Record<string, PropertySpec>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(specs)) shape[name] = (spec.optional ? propertyName.nullable() : propertyName).optional();
  return z.object(shape).strict();
}

const overridesSchema = z
  .object({ clients: overridesFor(CLIENT_PROPERTIES).optional(), sessions: overridesFor(SESSION_PROPERTIES).optional() })
  .strict();

/** Parses NOTION_PROPERTY_NAMES (absent → the defaults); a bad value is a ConfigError naming the variable. */
export function parsePropertyNames(raw: string | undefined | null): PropertyNames {
  if (raw === undefined || raw === null || raw.trim() === '') return DEFAULT_PROPERTY_NAMES;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(NOTION_PROPERTY_NAMES_VARIABLE, 'must be a JSON object like {"sessions":{"When":"Date"}}');
  }
  const parsed = overridesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top level)';
    throw new ConfigError(NOTION_PROPERTY_NAMES_VARIABLE, `${where}: ${issue?.message ?? 'invalid'} (keys are the default property names)`);
  }
  const names: PropertyNames = {
    clients: { ...DEFAULT_PROPERTY_NAMES.clients, ...(parsed.data.clients as Partial<PropertyNames['clients']> | undefined) },
    sessions: { ...DEFAULT_PROPERTY_NAMES.sessions, ...(parsed.data.sessions as Partial<PropertyNames['sessions']> | undefined) },
  };
  for (const [db, map] of [['clients', names.clients], ['sessions', names.sessions]] as const) {
    const used = Object.values(map).filter((n): n is string => n !== null);
    const twice = used.find((n, i) => used.indexOf(n) !== i);
    if (twice !== undefined) throw new ConfigError(NOTION_PROPERTY_NAMES_VARIABLE, `${db}: "${twice}" is mapped twice`);
  }
  return names;
}

// The Kysely handle every query function takes (which may be a transaction).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

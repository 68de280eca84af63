// The few places where SQLite and PostgreSQL differ, kept in one small object so queries stay shared.
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectQuirks {
  readonly name: DialectName;
  /** Adds an auto-incrementing integer primary key named `id`. */
  addIdColumn<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
  /** Column type for epoch milliseconds (beyond 32 bits). */
  readonly epochMsType: 'integer' | 'bigint';
}

export const SQLITE_QUIRKS: DialectQuirks = {
  name: 'sqlite',
  addIdColumn: (table) =>
    table.addColumn('id', 'integer', (col: ColumnDefinitionBuilder) => col.primaryKey().autoIncrement()),
  epochMsType: 'integer',
};

export const POSTGRES_QUIRKS: DialectQuirks = {
  name: 'postgres',
  addIdColumn: (table) =>
    table.addColumn('id', 'integer', (col: ColumnDefinitionBuilder) => col.primaryKey().generatedByDefaultAsIdentity()),
  epochMsType: 'bigint',
};

// What the emulator keeps. Page values are keyed by property id (not name) so that renaming a
// property in the schema keeps every page's value, as in Notion.

export type ApiVersion = '2022-06-28' | '2025-09-03' | '2026-03-11';

export const SELECT_COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'] as const;
export type SelectColor = (typeof SELECT_COLORS)[number];

export interface SelectOption {
  id: string;
  name: string;
  color: SelectColor;
  description: string | null;
}

export interface StatusGroup {
  id: string;
  name: string;
  color: SelectColor;
  option_ids: string[];
}

export interface RelationConfig {
  dataSourceId: string;
  databaseId: string;
  /** dual_property is recorded and echoed but behaves like single_property (no mirrored property). */
  kind: 'single_property' | 'dual_property';
  syncedPropertyName: string | null;
}

export type PlainPropertyType =
  | 'title'
  | 'rich_text'
  | 'date'
  | 'checkbox'
  | 'url'
  | 'email'
  | 'phone_number'
  | 'created_time'
  | 'last_edited_time';

interface PropertyBase {
  id: string;
  name: string;
  description: string | null;
}

export type PropertySchema = PropertyBase &
  (
    | { type: PlainPropertyType }
    | { type: 'number'; format: string }
    | { type: 'select' | 'multi_select'; options: SelectOption[] }
    | { type: 'status'; options: SelectOption[]; groups: StatusGroup[] }
    | { type: 'relation'; relation: RelationConfig }
  );

export type PropertyType = PropertySchema['type'];

export interface Annotations {
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  underline: boolean;
  code: boolean;
  color: string;
}

/** Rich text in Notion's response format (what GET returns), already filled with plain_text and href. */
export type RichTextItem =
  | {
      type: 'text';
      text: { content: string; link: { url: string } | null };
      annotations: Annotations;
      plain_text: string;
      href: string | null;
    }
  | {
      type: 'equation';
      equation: { expression: string };
      annotations: Annotations;
      plain_text: string;
      href: null;
    };

export interface OptionRef {
  id: string;
  name: string;
  color: SelectColor;
}

export interface DateValue {
  start: string;
  end: string | null;
  time_zone: string | null;
}

/** The stored value of each writable property type, in response format minus the {id, type} wrapper. */
export interface StoredValueTypes {
  title: RichTextItem[];
  rich_text: RichTextItem[];
  email: string | null;
  phone_number: string | null;
  url: string | null;
  number: number | null;
  checkbox: boolean;
  select: OptionRef | null;
  status: OptionRef | null;
  multi_select: OptionRef[];
  date: DateValue | null;
  relation: string[];
}

/** A stored page value; `type` is kept so a value orphaned by a schema type change reads as empty. */
export type StoredValue = { [K in keyof StoredValueTypes]: { type: K; value: StoredValueTypes[K] } }[keyof StoredValueTypes];

export interface DatabaseRecord {
  id: string;
  title: RichTextItem[];
  parentPageId: string;
  inTrash: boolean;
  createdTime: number;
  lastEditedTime: number;
  dataSourceIds: string[];
}

export interface DataSourceRecord {
  id: string;
  databaseId: string;
  title: RichTextItem[];
  /** In schema order, which is the order responses list them. */
  properties: PropertySchema[];
  inTrash: boolean;
  createdTime: number;
  lastEditedTime: number;
}

export interface PageRecord {
  id: string;
  dataSourceId: string;
  databaseId: string;
  values: Map<string, StoredValue>;
  inTrash: boolean;
  createdTime: number;
  lastEditedTime: number;
}

// Rich text: request items ({text:{content, link}, annotations?}) in, Notion's response items out,
// enforcing the request-limits page (≤ 100 items, content ≤ 2000 UTF-16 units, link.url ≤ 2000).
import { bodyFailed, unsupported } from './errors.js';
import { isRecord } from './json.js';
import type { Annotations, RichTextItem } from './store/records.js';

export const RICH_TEXT_MAX_ITEMS = 100;
export const TEXT_CONTENT_MAX_CHARS = 2000;
export const LINK_URL_MAX_CHARS = 2000;
export const EQUATION_MAX_CHARS = 1000;

const DEFAULT_ANNOTATIONS: Annotations = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: 'default',
};

/** Parses a rich text array; the caller has checked it is an array. `path` is e.g. body.properties.Notes.rich_text. */
export function parseRichText(items: readonly unknown[], path: string): RichTextItem[] {
  if (items.length > RICH_TEXT_MAX_ITEMS) {
    throw bodyFailed(`${path}.length`, `≤ \`${RICH_TEXT_MAX_ITEMS}\``, items.length);
  }
  return items.map((item, i) => parseItem(item, `${path}[${i}]`));
}

function parseItem(item: unknown, path: string): RichTextItem {
  if (!isRecord(item)) throw bodyFailed(path, 'an object', item);
  const type = typeof item.type === 'string' ? item.type : 'text' in item ? 'text' : 'equation' in item ? 'equation' : undefined;
  const annotations = parseAnnotations(item.annotations);
  if (type === 'text') return parseText(item.text, `${path}.text`, annotations);
  if (type === 'equation') {
    const equation = item.equation;
    const expression = isRecord(equation) ? equation.expression : undefined;
    if (typeof expression !== 'string') throw bodyFailed(`${path}.equation.expression`, 'a string', expression);
    if (expression.length > EQUATION_MAX_CHARS) {
      throw bodyFailed(`${path}.equation.expression.length`, `≤ \`${EQUATION_MAX_CHARS}\``, expression.length);
    }
    return { type: 'equation', equation: { expression }, annotations, plain_text: expression, href: null };
  }
  if (type === 'mention') throw unsupported('mention rich text');
  throw bodyFailed(`${path}.text`, 'defined', undefined);
}

function parseText(text: unknown, path: string, annotations: Annotations): RichTextItem {
  if (!isRecord(text)) throw bodyFailed(path, 'an object', text);
  const content = text.content;
  if (typeof content !== 'string') throw bodyFailed(`${path}.content`, 'a string', content);
  if (content.length > TEXT_CONTENT_MAX_CHARS) {
    throw bodyFailed(`${path}.content.length`, `≤ \`${TEXT_CONTENT_MAX_CHARS}\``, content.length);
  }
  let link: { url: string } | null = null;
  if (text.link !== undefined && text.link !== null) {
    const url = isRecord(text.link) ? text.link.url : undefined;
    if (typeof url !== 'string') throw bodyFailed(`${path}.link.url`, 'a string', url);
    if (url.length > LINK_URL_MAX_CHARS) throw bodyFailed(`${path}.link.url.length`, `≤ \`${LINK_URL_MAX_CHARS}\``, url.length);
    link = { url };
  }
  return { type: 'text', text: { content, link }, annotations, plain_text: content, href: link?.url ?? null };
}

function parseAnnotations(raw: unknown): Annotations {
  const out = { ...DEFAULT_ANNOTATIONS };
  if (!isRecord(raw)) return out;
  for (const key of ['bold', 'italic', 'strikethrough', 'underline', 'code'] as const) {
    const v = raw[key];
    if (typeof v === 'boolean') out[key] = v;
  }
  if (typeof raw.color === 'string') out.color = raw.color;
  return out;
}

/** Builds a response item from a bare string, for titles the emulator writes itself. */
export function textItem(content: string): RichTextItem {
  return {
    type: 'text',
    text: { content, link: null },
    annotations: { ...DEFAULT_ANNOTATIONS },
    plain_text: content,
    href: null,
  };
}

export function plainText(items: readonly RichTextItem[]): string {
  return items.map((i) => i.plain_text).join('');
}

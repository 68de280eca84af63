// Select, multi_select and status options: parsing option lists from schema requests, keeping the ids
// of options that survive an update, and the ids/colours Notion assigns to new ones.
import { bodyFailed, validationError } from './errors.js';
import { isRecord } from './json.js';
import type { Random } from './prng.js';
import { SELECT_COLORS, type SelectColor, type SelectOption, type StatusGroup } from './store/records.js';

/** An update's option list replaces the old one (emulator choice); options matched by id or name keep their ids. */
export function parseOptions(raw: unknown, path: string, previous: readonly SelectOption[], random: Random): SelectOption[] {
  if (raw === undefined) return previous.map((o) => ({ ...o }));
  if (!Array.isArray(raw)) throw bodyFailed(path, 'an array', raw);
  const out: SelectOption[] = [];
  raw.forEach((opt, i) => {
    if (!isRecord(opt)) throw bodyFailed(`${path}[${i}]`, 'an object', opt);
    const kept = previous.find((o) => (typeof opt.id === 'string' && o.id === opt.id) || o.name === opt.name);
    const name = typeof opt.name === 'string' ? opt.name : kept?.name;
    if (name === undefined) throw bodyFailed(`${path}[${i}].name`, 'a string', opt.name);
    if (out.some((o) => o.name === name)) throw validationError(`Duplicate option name: ${name}.`); // (unverified)
    const color = parseColor(opt.color, `${path}[${i}].color`) ?? kept?.color ?? colorFor(out.length + previous.length);
    out.push({
      id: kept?.id ?? newOptionId(random),
      name,
      color,
      description: typeof opt.description === 'string' ? opt.description : (kept?.description ?? null),
    });
  });
  return out;
}

export function statusConfig(
  config: Record<string, unknown>,
  path: string,
  previous: readonly SelectOption[],
  random: Random,
): { type: 'status'; options: SelectOption[]; groups: StatusGroup[] } {
  if (config.options === undefined && previous.length === 0) {
    // Notion's defaults for a new status property.
    const notStarted = { id: newOptionId(random), name: 'Not started', color: 'default' as const, description: null };
    const inProgress = { id: newOptionId(random), name: 'In progress', color: 'blue' as const, description: null };
    const done = { id: newOptionId(random), name: 'Done', color: 'green' as const, description: null };
    return {
      type: 'status',
      options: [notStarted, inProgress, done],
      groups: [
        { id: newOptionId(random), name: 'To-do', color: 'gray', option_ids: [notStarted.id] },
        { id: newOptionId(random), name: 'In progress', color: 'blue', option_ids: [inProgress.id] },
        { id: newOptionId(random), name: 'Complete', color: 'green', option_ids: [done.id] },
      ],
    };
  }
  // Simplification: explicit status options are accepted and all land in the To-do group.
  const options = parseOptions(config.options, path, previous, random);
  return {
    type: 'status',
    options,
    groups: [
      { id: newOptionId(random), name: 'To-do', color: 'gray', option_ids: options.map((o) => o.id) },
      { id: newOptionId(random), name: 'In progress', color: 'blue', option_ids: [] },
      { id: newOptionId(random), name: 'Complete', color: 'green', option_ids: [] },
    ],
  };
}

function parseColor(raw: unknown, path: string): SelectColor | undefined {
  if (raw === undefined) return undefined;
  const color = SELECT_COLORS.find((c) => c === raw);
  if (color === undefined) throw bodyFailed(path, `one of ${SELECT_COLORS.map((c) => `\`"${c}"\``).join(', ')}`, raw);
  return color;
}

/** Notion picks a colour for options created without one; round-robin keeps runs reproducible. */
export function colorFor(index: number): SelectColor {
  return SELECT_COLORS[index % SELECT_COLORS.length] ?? 'default';
}

const OPTION_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Option ids are short random strings in Notion; seeded here so runs are reproducible. */
export function newOptionId(random: Random): string {
  let raw = '';
  for (let i = 0; i < 4; i += 1) raw += OPTION_ID_ALPHABET[Math.floor(random() * OPTION_ID_ALPHABET.length)] ?? 'x';
  return raw;
}

// Zod validation of request parts, failing as the contract's 422 with the failing fields.
import type { z } from 'zod';
import { CalsyncError } from '../errors.js';

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  throw new CalsyncError('validation_error', `Invalid ${issues.map((i) => i.path || 'request').join(', ')}`, { issues });
}

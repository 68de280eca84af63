// calsync's version: the one in its package.json, found from this file in src/cli/ (tsx) or dist/src/cli/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LEVELS_UP = 4;

export function calsyncVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < MAX_LEVELS_UP; i += 1) {
    dir = path.dirname(dir);
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'calsync' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: one level further up
    }
  }
  return 'unknown';
}

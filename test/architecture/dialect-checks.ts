// Finds code that asks which database it runs on: a comparison with a dialect name ('postgres',
// 'sqlite'), the store's dialect name (`quirks.name`), or the pg pool itself. Such a branch belongs behind
// the store's interface (src/store/), which offers what the difference is about instead (locks,
// leadership, group commit, the embedded store's directory).
import fs from 'node:fs';
import path from 'node:path';

const DIALECT_CHECKS: readonly RegExp[] = [
  /[!=]==?\s*['"`](?:postgres|postgresql|sqlite)['"`]/,
  /['"`](?:postgres|postgresql|sqlite)['"`]\s*[!=]==?/,
  /\bcase\s+['"`](?:postgres|postgresql|sqlite)['"`]\s*:/,
  /\bquirks\.name\s*[!=]==?|[!=]==?\s*[\w.]*quirks\.name\b/,
  /\bpgPool\b/,
];
/** Far above any source file; a bigger one is not source. */
const MAX_FILE_BYTES = 1024 * 1024;

/** `file:line: text` of every dialect check in the .ts files under `dir`, outside `except`. */
export function findDialectChecks(dir: string, options: { except: string }): string[] {
  const found: string[] = [];
  for (const file of tsFilesUnder(dir)) {
    if (file === options.except || file.startsWith(options.except + path.sep)) continue;
    if (fs.statSync(file).size > MAX_FILE_BYTES) continue;
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (DIALECT_CHECKS.some((re) => re.test(line))) found.push(`${path.relative(dir, file)}:${i + 1}: ${line.trim().slice(0, 200)}`);
      });
  }
  return found;
}

function tsFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

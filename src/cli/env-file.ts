// Writes CAL_WEBHOOK_SECRET into a `.env` file: replaces the line if there is one (keeping the secrets it
// held after the new one, so deliveries signed with them still verify during a rotation), or appends one.
// Other lines are kept byte for byte. The file is replaced atomically (write, then rename).
import fs from 'node:fs';
import path from 'node:path';

const LINE_RE = /^(\s*(?:export\s+)?)CAL_WEBHOOK_SECRET\s*=\s*(.*?)\s*$/;

export type EnvFileChange = 'created' | 'appended' | 'updated' | 'unchanged';

export function writeWebhookSecret(file: string, secret: string): EnvFileChange {
  const exists = fs.existsSync(file);
  const text = exists ? fs.readFileSync(file, 'utf8') : '';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const index = lines.findIndex((l) => LINE_RE.test(l));
  let change: EnvFileChange;
  if (index === -1) {
    lines.push(`CAL_WEBHOOK_SECRET=${secret}`);
    change = exists ? 'appended' : 'created';
  } else {
    const m = LINE_RE.exec(lines[index] as string) as RegExpExecArray;
    const current = unquote(m[2] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (current[0] === secret) return 'unchanged';
    lines[index] = `${m[1] ?? ''}CAL_WEBHOOK_SECRET=${[secret, ...current.filter((s) => s !== secret)].join(',')}`;
    change = 'updated';
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, lines.join('\n') + '\n', { mode: exists ? fs.statSync(file).mode : 0o600 });
  fs.renameSync(tmp, file);
  return change;
}

function unquote(value: string): string {
  const v = value.trim();
  const quoted = /^(["'])(.*?)\1(?:\s+#.*)?$/.exec(v);
  if (quoted) return quoted[2] ?? '';
  return v.replace(/\s+#.*$/, '');
}

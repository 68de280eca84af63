// Baselines for bench/intake between the bare route and the full intake: the bare route plus what the
// contract makes every implementation do before its 2xx, and nothing else.
// - The raw delivery made durable (SQLite, WAL, synchronous=FULL, group commit with one fsync per batch, a
//   unique key against redelivery): the price of durability on this disk.
// - With FLOOR_VALIDATE=1, also calsync's own parse (Zod validation and normalisation), which the contract
//   requires before storing (a 422 must change nothing): the least any conforming receiver written this way
//   must do. The gap between it and the full intake is the appointments work (fold, links, overlaps).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseDelivery } from '../src/calcom/parse.js';
import { startBareServer } from './bare-route.js';

const validate = process.env.FLOOR_VALIDATE === '1';
const dataDir = fs.mkdtempSync(path.join(process.env.DATA_DIR ?? os.tmpdir(), 'floor-'));
const db = new Database(path.join(dataDir, 'floor.db'));
db.pragma('locking_mode = EXCLUSIVE');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('create table if not exists deliveries (id integer primary key, dedup_key text not null unique, raw_body text not null)');
const insert = db.prepare('insert into deliveries (dedup_key, raw_body) values (?, ?) on conflict (dedup_key) do nothing');

let waiting: { key: string; body: string; done(): void }[] = [];
let scheduled = false;
function commitWaiting(): void {
  scheduled = false;
  const batch = waiting;
  waiting = [];
  db.exec('begin');
  for (const w of batch) insert.run(w.key, w.body);
  db.exec('commit');
  for (const w of batch) w.done();
}

await startBareServer(
  async (text, body) => {
    let key: string;
    if (validate) {
      const parsed = parseDelivery(body);
      if (!parsed.ok) return { status: 422, body: { status: 'error', code: parsed.code } };
      key = parsed.dedupKey;
    } else {
      key = crypto.createHash('sha256').update(text).digest('hex');
    }
    await new Promise<void>((done) => {
      waiting.push({ key, body: text, done });
      if (!scheduled) {
        scheduled = true;
        setImmediate(commitWaiting);
      }
    });
  },
  () => {
    db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  },
);

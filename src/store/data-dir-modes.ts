// DATA_DIR holds every attendee's data and, when they were generated, the secrets: readable by the owner
// only. A fresh directory is created 0700 and its files 0600; an existing one (made by an older calsync, or
// by hand) is tightened on start, and what was changed is reported so it can be logged.
import fs from 'node:fs';
import path from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;
/** Group and other permission bits: none may be set on DATA_DIR or its files. */
const OPEN_TO_OTHERS = 0o077;

/**
 * Creates `dataDir` (0700) if missing, removes group/other permissions from it and from every plain file
 * directly in it (the store, its -wal/-shm, generated-secrets.env, owner.json, ...), and creates `storeFile`
 * empty with 0600 when missing, so SQLite (which gives -wal and -shm the database file's mode) never makes a
 * readable one. Returns the paths whose modes were changed, with their old modes in octal.
 */
export function secureDataDir(dataDir: string, storeFile: string): { path: string; was: string }[] {
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const changed: { path: string; was: string }[] = [];
  const tighten = (p: string, mode: number) => {
    const st = fs.statSync(p);
    if ((st.mode & OPEN_TO_OTHERS) === 0) return;
    fs.chmodSync(p, st.mode & mode & 0o777);
    changed.push({ path: p, was: (st.mode & 0o777).toString(8) });
  };
  tighten(dataDir, DATA_DIR_MODE);
  // An empty file is a valid empty SQLite database; 'a' never truncates one that appeared meanwhile.
  fs.closeSync(fs.openSync(storeFile, 'a', DATA_FILE_MODE));
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (entry.isFile()) tighten(path.join(dataDir, entry.name), DATA_FILE_MODE);
  }
  return changed;
}

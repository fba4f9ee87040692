import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Database } from 'sql.js';
import { writeFileDurably } from '../storage';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { projectPaths, type ProjectPaths } from '../workspace';
import type { JournalSource, PendingRecord, StoreCapability, StoreRecord } from './capability';
import { acquireLock, isProcessAlive, type LockOptions } from '../storage';
import { JournalWriter, readJournalTail, type JournalProblem } from './journal';
import { APPLICATION_ID, checkCapabilities, migrate } from './migrations';
import { loadSqlJs, type SqlJs } from './sqlJs';

export interface StoreOptions {
  /** What keeps tables in the store: src/core/metadata lists every capability's, tests bring their own. */
  capabilities: readonly StoreCapability[];
  lock?: LockOptions;
}

export interface FoldResult {
  /** Whether the database file was rewritten. */
  written: boolean;
  problems: JournalProblem[];
}

/** A journal of this process's own, named so a folder can tell when its writer died. */
function sessionJournalFile(paths: ProjectPaths): string {
  return path.join(paths.state, JOURNAL_DIR, `${process.pid}@${os.hostname()}.${randomBytes(4).toString('hex')}.jsonl`);
}

/**
 * Hands records to the store without opening it (no database load): they go to a journal of their own, which every
 * reader applies at once and the next writer folds. For a capability that records one fact and moves on.
 */
export function appendToJournal(paths: ProjectPaths, records: readonly StoreRecord[]): void {
  const writer = new JournalWriter(sessionJournalFile(paths));
  try {
    writer.append(records);
  } finally {
    writer.close();
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const JOURNAL_DIR = 'journal';

/**
 * The project's metadata store. The database file is a snapshot; every write is first a record appended to a
 * journal (acknowledged once appended), and one process at a time, holding the lock, folds the journals into the
 * database and replaces the file atomically. Readers load the snapshot and apply the unfolded journal tails in
 * memory, so they see live data without writing. See docs/tracking.md for the protocol.
 */
export class MetadataStore {
  private db: Database;
  private loadedIdentity: string;
  /** Memory holds changes the file does not (tails applied, a migration, a new database). */
  private dirty: boolean;
  private writer: JournalWriter | undefined;
  private readonly recordOwners: Map<string, StoreCapability>;
  private readonly lockFile: string;
  private readonly journalDir: string;
  /** Problems found in journal lines since the last call to takeProblems(). */
  private problems: JournalProblem[] = [];

  private constructor(
    readonly paths: ProjectPaths,
    private readonly sql: SqlJs,
    private readonly capabilities: readonly StoreCapability[],
    private readonly lockOptions: LockOptions,
  ) {
    this.recordOwners = new Map(capabilities.flatMap((c) => c.recordTypes.map((t) => [t, c] as const)));
    this.lockFile = `${paths.database}.lock`;
    this.journalDir = path.join(paths.state, JOURNAL_DIR);
    const loaded = this.load();
    this.db = loaded.db;
    this.loadedIdentity = loaded.identity;
    this.dirty = loaded.dirty;
  }

  /** Opens the store of the project at `root`. Nothing is written until something is appended and folded. */
  static async open(root: string, options: StoreOptions): Promise<MetadataStore> {
    const capabilities = options.capabilities;
    checkCapabilities(capabilities);
    const store = new MetadataStore(projectPaths(root), await loadSqlJs(), capabilities, options.lock ?? {});
    store.refresh();
    return store;
  }

  /** The in-memory database, current as of the last refresh(). Queries only: changes go through journals. */
  get database(): Database {
    return this.db;
  }

  /** The journal this process appends to; created on first use, named so a folder can tell when its writer died. */
  get sessionJournal(): JournalWriter {
    this.writer ??= new JournalWriter(sessionJournalFile(this.paths));
    return this.writer;
  }

  /** Appends records to this process's journal (acknowledged on return) and applies them to memory at once. */
  append(records: readonly StoreRecord[]): void {
    this.sessionJournal.append(records);
    this.refresh();
  }

  /**
   * Brings memory up to date: reloads the file if another process replaced it, then applies every journal's
   * unfolded tail. Returns whether anything changed. Cheap when nothing did: a few stat calls.
   */
  refresh(): boolean {
    let changed = false;
    const identity = fileIdentity(this.paths.database);
    if (identity !== this.loadedIdentity && identity !== 'none') {
      this.db.close();
      const loaded = this.load();
      this.db = loaded.db;
      this.loadedIdentity = loaded.identity;
      this.dirty = loaded.dirty;
      changed = true;
    }
    // Session journals first: they announce the runs whose own logs the finders then name.
    for (const source of this.sessionJournals()) changed = this.applyTail(source) || changed;
    for (const source of this.capabilityJournals()) changed = this.applyTail(source) || changed;
    return changed;
  }

  /** A cheap fingerprint of everything the store reads; compare with changedSince() to know whether to refresh. */
  changeToken(): string {
    const parts = [fileIdentity(this.paths.database)];
    for (const source of [...this.sessionJournals(), ...this.capabilityJournals()]) {
      parts.push(`${source.name}=${fileSize(source.file)}`);
    }
    return parts.join('|');
  }

  changedSince(token: string): boolean {
    return this.changeToken() !== token;
  }

  /** Journal problems (malformed or rejected lines) seen since the last call. */
  takeProblems(): JournalProblem[] {
    const taken = this.problems;
    this.problems = [];
    return taken;
  }

  /**
   * Folds every journal into the database file under the single-writer lock: the new file is written beside the
   * old one, fsynced and renamed over it, so a kill at any moment leaves the old snapshot plus the journals, or the
   * new one. Journals of writers that have exited and are fully folded are then removed.
   */
  async fold(): Promise<FoldResult> {
    const release = await acquireLock(this.lockFile, this.lockOptions);
    try {
      this.refresh();
      // Every capability gets its turn (no short-circuit), then one refresh applies what they appended.
      const appended = this.capabilities.map((c) => c.closeAbandoned?.(this.db, this.paths.state) ?? false);
      if (appended.includes(true)) this.refresh();
      const finished = this.finishedSessionJournals();
      if (finished.length) this.forgetJournals(finished.map((s) => s.name));
      const written = this.dirty || fileIdentity(this.paths.database) === 'none';
      if (written) {
        writeFileDurably(this.paths.database, this.committedFile());
        this.loadedIdentity = fileIdentity(this.paths.database);
        this.dirty = false;
      }
      for (const s of finished) fs.rmSync(s.file, { force: true });
      return { written, problems: this.takeProblems() };
    } finally {
      release();
    }
  }

  /**
   * The database file as sql.js holds it, without export()'s full copy. With no transaction open (BEGIN would fail
   * inside one) the rollback journal is gone and the file holds exactly the committed pages. The view is written
   * out synchronously, before any statement can change it.
   */
  private committedFile(): Uint8Array {
    this.db.run('BEGIN');
    this.db.run('COMMIT');
    return this.sql.mlopsDatabaseFile(this.db).bytes();
  }

  close(): void {
    this.writer?.close();
    this.db.close();
  }

  private load(): { db: Database; identity: string; dirty: boolean } {
    const file = this.paths.database;
    const bytes = readDatabaseFile(file);
    if (!bytes) {
      const db = new this.sql.Database();
      db.run(`PRAGMA application_id = ${APPLICATION_ID}`);
      migrate(db, this.capabilities, file);
      return { db, identity: 'none', dirty: true };
    }
    // Handing the bytes over, rather than new Database(bytes), which would copy them: SQLite reads nothing of the
    // file until the first statement.
    const db = new this.sql.Database();
    this.sql.mlopsDatabaseFile(db).adopt(bytes.data, bytes.size);
    try {
      checkOurs(db, file);
      const migrated = migrate(db, this.capabilities, file);
      return { db, identity: bytes.identity, dirty: migrated };
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private sessionJournals(): JournalSource[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.journalDir);
    } catch {
      return [];
    }
    return names.filter((n) => n.endsWith('.jsonl')).sort().map((n) => ({ file: path.join(this.journalDir, n), name: `${JOURNAL_DIR}/${n}` }));
  }

  private capabilityJournals(): JournalSource[] {
    return this.capabilities.flatMap((c) => c.journals?.(this.db, this.paths.state) ?? []);
  }

  /** Applies a journal's unfolded lines in one transaction per chunk, together with its new offset. */
  private applyTail(source: JournalSource): boolean {
    const size = fileSize(source.file);
    const row = this.db.exec('SELECT offset, line FROM journal_offsets WHERE journal = ?', [source.name])[0]?.values[0];
    const offset = Number(row?.[0] ?? 0);
    if (size <= offset) return false;
    let changed = false;
    for (const chunk of readJournalTail(source.file, source.name, offset, Number(row?.[1] ?? 0), source.overrides)) {
      this.db.run('BEGIN');
      try {
        this.applyRecords(chunk.records, chunk.problems);
        this.db.run('INSERT OR REPLACE INTO journal_offsets (journal, offset, line) VALUES (?, ?, ?)', [source.name, chunk.offset, chunk.line]);
        this.db.run('COMMIT');
      } catch (err) {
        this.db.run('ROLLBACK');
        throw err;
      }
      this.problems.push(...chunk.problems.sort((a, b) => a.line - b.line));
      this.dirty = true;
      changed = true;
    }
    return changed;
  }

  /** Hands each run of consecutive records of one capability to it, keeping journal order. */
  private applyRecords(records: readonly PendingRecord[], problems: JournalProblem[]): void {
    const reject = (r: PendingRecord, message: string) => problems.push({ ...r.source, message });
    let start = 0;
    while (start < records.length) {
      const owner = this.recordOwners.get(records[start].record.type);
      if (!owner?.apply) {
        reject(records[start], l10n.t('unknown record type "{0}"', records[start].record.type));
        start++;
        continue;
      }
      let end = start + 1;
      while (end < records.length && this.recordOwners.get(records[end].record.type) === owner) end++;
      owner.apply({ db: this.db, records: records.slice(start, end), reject });
      start = end;
    }
  }

  /** Journals whose writer process has exited and whose every line is folded: nothing more can arrive. */
  private finishedSessionJournals(): JournalSource[] {
    return this.sessionJournals().filter((s) => {
      const owner = /^(\d+)@(.+)\.[0-9a-f]+\.jsonl$/.exec(path.basename(s.file));
      if (!owner || owner[2] !== os.hostname() || isProcessAlive(Number(owner[1]))) return false;
      const offset = this.db.exec('SELECT offset FROM journal_offsets WHERE journal = ?', [s.name])[0]?.values[0]?.[0];
      return Number(offset ?? 0) === fileSize(s.file);
    });
  }

  /** Their offsets go with the snapshot that no longer needs them; their files are removed only after it is on disk. */
  private forgetJournals(names: readonly string[]): void {
    for (const name of names) this.db.run('DELETE FROM journal_offsets WHERE journal = ?', [name]);
    this.dirty = true;
  }
}

/** Changes whenever the file is replaced (rename gives a new inode) or rewritten. */
function fileIdentity(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'none';
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The file's bytes and identity, read through one descriptor so a concurrent rename cannot mix two versions. */
function readDatabaseFile(file: string): { data: Uint8Array; size: number; identity: string } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const s = fs.fstatSync(fd);
    // The buffer becomes sql.js's in-memory file (see load), so it gets the eighth of room that sql.js would add on
    // its first growth: a fold that adds pages then writes in place instead of copying the whole database. Pages
    // never written are never touched, so the room costs no resident memory until used.
    const data = new Uint8Array(s.size + Math.ceil(s.size / 8));
    let read = 0;
    while (read < s.size) {
      const n = fs.readSync(fd, data, read, s.size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read < 100 || !SQLITE_HEADER.equals(data.subarray(0, 16))) {
      throw new MlopsError(
        l10n.t('{0} is not an MLOps metadata database: it is not an SQLite file, or it is damaged.', file),
        l10n.t('The file was left untouched. Move it away to start a new store, or restore it from a backup.'),
        'STORE_NOT_OURS',
      );
    }
    return { data, size: read, identity: `${s.ino}:${s.size}:${s.mtimeMs}` };
  } finally {
    fs.closeSync(fd);
  }
}

function checkOurs(db: Database, file: string): void {
  let applicationId: number;
  try {
    applicationId = Number(db.exec('PRAGMA application_id')[0].values[0][0]);
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch (err) {
    throw new MlopsError(
      l10n.t('{0} is damaged: {1}.', file, (err as Error).message),
      l10n.t('The file was left untouched. Move it away to start a new store, or restore it from a backup.'),
      'STORE_DAMAGED',
    );
  }
  if (applicationId !== APPLICATION_ID) {
    throw new MlopsError(
      l10n.t('{0} is an SQLite database of another application, not an MLOps metadata database.', file),
      l10n.t('The file was left untouched. Move it away to start a new store, or restore it from a backup.'),
      'STORE_NOT_OURS',
    );
  }
}

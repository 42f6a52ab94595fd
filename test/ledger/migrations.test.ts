import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LEDGER_APPLICATION_ID, migrate } from '../../src/ledger/migrate.js';
import { MIGRATIONS, type Migration } from '../../src/ledger/migrations/index.js';

const memory = () => new Database(':memory:');
const version = (db: Database.Database) => db.pragma('user_version', { simple: true });
const tables = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

describe('migrations', () => {
  it('are numbered 1, 2, … without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('bring a new database to the latest version and mark it as a changeproof ledger', () => {
    const db = memory();
    expect(migrate(db, ':memory:')).toEqual({ from: 0, to: MIGRATIONS.length });
    expect(version(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('application_id', { simple: true })).toBe(LEDGER_APPLICATION_ID);
    expect(tables(db)).toEqual(['deliveries', 'entries', 'entry_subjects', 'inbox']);
  });

  it('do nothing the second time', () => {
    const db = memory();
    migrate(db, ':memory:');
    const schema = db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').pluck().all();
    expect(migrate(db, ':memory:')).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    expect(db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').pluck().all()).toEqual(schema);
  });

  it('apply only the newer ones to an older ledger', () => {
    const db = memory();
    migrate(db, ':memory:', MIGRATIONS.slice(0, 1));
    expect(version(db)).toBe(1);
    expect(tables(db)).toEqual(['deliveries', 'entries']);
    expect(migrate(db, ':memory:')).toEqual({ from: 1, to: MIGRATIONS.length });
    expect(tables(db)).toContain('inbox');
  });

  it('roll a failing migration back whole, leaving the version where it was', () => {
    const db = memory();
    const broken: Migration = { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);' };
    expect(() => migrate(db, ':memory:', [...MIGRATIONS, broken])).toThrow(/nowhere/);
    expect(version(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).not.toContain('half');
  });

  it('refuse a database written by a newer version', () => {
    const db = memory();
    migrate(db, ':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db, ':memory:')).toThrow(expect.objectContaining({ code: 'LEDGER_TOO_NEW' }));
  });

  it("refuse another application's database instead of adding tables to it", () => {
    const db = memory();
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    expect(() => migrate(db, ':memory:')).toThrow(expect.objectContaining({ code: 'LEDGER_CORRUPT' }));
    const other = memory();
    other.pragma('application_id = 7');
    expect(() => migrate(other, ':memory:')).toThrow(/not a changeproof ledger/);
  });

  it('create triggers that refuse UPDATE and DELETE of entries and deliveries', () => {
    const db = memory();
    migrate(db, ':memory:');
    db.prepare("INSERT INTO entries VALUES (1, 't', 'push', 'a/b', 'h', '{}')").run();
    db.prepare("INSERT INTO deliveries VALUES ('d', 1)").run();
    expect(() => db.exec("UPDATE entries SET body = '{\"x\":1}'")).toThrow(/append-only: UPDATE refused/);
    expect(() => db.exec('DELETE FROM entries')).toThrow(/append-only: DELETE refused/);
    expect(() => db.exec("UPDATE deliveries SET delivery_id = 'e'")).toThrow(/UPDATE refused/);
    expect(() => db.exec('DELETE FROM deliveries')).toThrow(/DELETE refused/);
    expect(db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(1);
  });

  it('refuse two entries at one seq, so the chain cannot fork', () => {
    const db = memory();
    migrate(db, ':memory:');
    db.prepare("INSERT INTO entries VALUES (1, 't', 'push', 'a/b', 'h', '{}')").run();
    expect(() => db.prepare("INSERT INTO entries VALUES (1, 't', 'push', 'a/b', 'h2', '{}')").run()).toThrow(/UNIQUE|PRIMARY KEY/);
  });

  it('index the entries of an older ledger by subject when they add the subject index', () => {
    const db = memory();
    migrate(db, ':memory:', MIGRATIONS.slice(0, 2));
    db.prepare("INSERT INTO entries VALUES (1, 't', 'push', 'acme/api', 'h', '{\"subject\":\"push/abc\"}')").run();
    db.prepare("INSERT INTO entries VALUES (2, 't', 'checkpoint', NULL, 'h', '{\"subject\":\"checkpoint/1\"}')").run();
    migrate(db, ':memory:');
    expect(db.prepare('SELECT repo, subject, seq FROM entry_subjects').all()).toEqual([{ repo: 'acme/api', subject: 'push/abc', seq: 1 }]);
    expect(() => db.exec('DELETE FROM entry_subjects')).toThrow(/DELETE refused/);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT seq FROM entry_subjects WHERE repo = 'acme/api' AND subject = 'push/abc' ORDER BY seq DESC").all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/PRIMARY KEY/);
  });

  it('let the latest checkpoint be found through a partial index that ordinary entries never touch', () => {
    const db = memory();
    migrate(db, ':memory:');
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT seq, body FROM entries WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1").all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX entries_checkpoints/);
  });
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: CHANGEPROOF_TEST_DATABASE_URL, else
 * the one CI starts (127.0.0.1:5432, trust authentication). Each test file
 * gets a database of its own ({@link freshDatabase}) and each test a schema
 * of its own in it ({@link freshSchema}), so tests never see each other's rows.
 */
export const ADMIN_URL = process.env.CHANGEPROOF_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

let availability: Promise<string | null> | null = null;

/** Null when the server answers; else why not (printed when the PostgreSQL tests are skipped). */
export function postgresUnavailable(): Promise<string | null> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (error) {
      return `no PostgreSQL at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}); set CHANGEPROOF_TEST_DATABASE_URL or start one (.ci/run does)`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return availability;
}

/** Skips a PostgreSQL suite with a clear message when no server can be reached. */
export async function skipUnlessPostgres(): Promise<boolean> {
  const why = await postgresUnavailable();
  if (why) console.warn(`Skipping the PostgreSQL tests: ${why}`);
  return why === null;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const databases: string[] = [];

/** A new, empty database; its URL. Dropped by {@link dropDatabases}. */
export async function freshDatabase(prefix = 'changeproof_test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  return withDatabase(ADMIN_URL, name);
}

/** Drops the databases this file created (connections still open to them are ended first). */
export async function dropDatabases(): Promise<void> {
  const names = databases.splice(0);
  if (names.length === 0) return;
  await admin(async (c) => {
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

let fileDatabase: Promise<string> | null = null;

/** A schema of its own in this test file's database: the URL selects it through search_path. */
export async function freshSchema(): Promise<string> {
  fileDatabase ??= freshDatabase();
  const url = await fileDatabase;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Ends this file's database (after all its tests). */
export async function dropFileDatabase(): Promise<void> {
  fileDatabase = null;
  await dropDatabases();
}

/** Runs SQL as the server's superuser against `url` (a test's database and schema). */
export async function asSuperuser<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

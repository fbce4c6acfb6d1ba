// DATABASE_URL picks the dialect: `file:`/`sqlite:` → SQLite (better-sqlite3), `postgres://`/`postgresql://` → PostgreSQL.
// It lives in config (not db) so the env schema can reject a bad URL at start-up, before any driver loads.

export type DatabaseTarget =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; connectionString: string };

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const value = url.trim();
  const sqlite = /^(?:file|sqlite):(?:\/\/)?(.+)$/.exec(value);
  if (sqlite) {
    const filename = sqlite[1]!;
    // `file::memory:` / `sqlite::memory:` give a private in-memory database (tests, throwaway runs).
    return { dialect: 'sqlite', filename: filename === ':memory:' ? ':memory:' : filename };
  }
  if (/^postgres(?:ql)?:\/\//.test(value)) {
    try {
      const parsed = new URL(value);
      if (!parsed.hostname && !parsed.searchParams.get('host')) throw new Error('no host');
    } catch {
      throw new Error('is not a valid postgres:// URL');
    }
    return { dialect: 'postgres', connectionString: value };
  }
  throw new Error('must start with file:, sqlite:, postgres:// or postgresql://');
}

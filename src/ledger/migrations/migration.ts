/** One forward-only schema step; `version` becomes `PRAGMA user_version` once applied. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

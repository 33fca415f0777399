import type { SqlExecutor } from '../database.js';

/**
 * MikroORM expands an array parameter into a list of placeholders, so uuid arrays travel as a
 * PostgreSQL array literal (`?::uuid[]`). Callers pass ids already checked with `isUuid`, so the
 * literal needs no quoting.
 */
export const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

/** MikroORM's driver hands timestamptz values over as PostgreSQL text; its platform parses them. */
export const dateParser = (em: SqlExecutor): ((value: string) => Date) => {
  const platform = em.getPlatform();
  return (value) => platform.parseDate(value);
};

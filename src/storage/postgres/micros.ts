import { type SQL, sql } from 'drizzle-orm'

/**
 * Timestamps in cursors, as whole microseconds since the epoch: Postgres's own precision. A
 * cursor made from a JavaScript Date (milliseconds) skips the rows of its millisecond that
 * sort after it; one made from the timestamp's text depends on how the driver returns it.
 */

/** The timestamp `column` as microseconds since the epoch, in decimal text. */
export const microsOf = (column: SQL) =>
  sql`(extract(epoch from ${column}) * 1000000)::bigint::text`

/** The timestamp `us` microseconds after the epoch. */
export const atMicros = (us: bigint | string) =>
  sql`('epoch'::timestamptz + ${us.toString()}::bigint * interval '1 microsecond')`

/** Rows carry Dates, pub/sub snapshots carry ISO strings (they cross Redis as JSON). */
export const toDate = (value: Date | string | null | undefined): Date | null => (value ? new Date(value) : null);

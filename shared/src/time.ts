/** Timestamps are ISO 8601 text on the wire and in events, Date objects in models and rows. */
export const iso = (value: Date | string): string => new Date(value).toISOString();

export const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : iso(value));

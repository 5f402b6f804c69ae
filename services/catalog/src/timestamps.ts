/** Timestamps are ISO 8601 strings on the wire and Date objects in the models. */
export const iso = (value: Date | string): string => new Date(value).toISOString();

export const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : iso(value));

/** An optional, nullable timestamp from the wire, for a model field. */
export function toDateOrNull(value: string | null | undefined): Date | null | undefined {
  return value === null || value === undefined ? value : new Date(value);
}

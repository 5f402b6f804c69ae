/** `T` with its timestamps also as ISO text, the way rows read as JSON carry them. */
export type TextTimestamps<T> = {
  [K in keyof T]: T[K] extends Date ? Date | string : T[K] extends Date | null ? Date | string | null : T[K];
};

/** An optional, nullable timestamp from the wire, for a model field. */
export function toDateOrNull(value: string | null | undefined): Date | null | undefined {
  return value === null || value === undefined ? value : new Date(value);
}

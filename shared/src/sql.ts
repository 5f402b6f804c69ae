/** Makes `%`, `_` and `\` in a search match themselves instead of acting as LIKE wildcards. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

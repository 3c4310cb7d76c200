/** FEATURES.md section 5: "Every table matches by the longest prefix." */

/** The row whose prefix is the longest prefix of `number`; undefined when none is. */
export function longestPrefixMatch<T extends { readonly prefix: string }>(
  rows: readonly T[],
  number: string,
): T | undefined {
  let best: T | undefined;
  for (const row of rows) {
    if (!number.startsWith(row.prefix)) continue;
    if (best === undefined || row.prefix.length > best.prefix.length) best = row;
  }
  return best;
}

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

/**
 * Rows grouped by a key (a dial plan, an outgoing group) and indexed by prefix: a lookup tries
 * the number's own prefixes, longest first, so it costs the number's length (at most 32), not
 * the table's size. On equal prefixes the first row wins, as in longestPrefixMatch.
 */
export class PrefixIndex<T extends { readonly prefix: string }> {
  private readonly groups = new Map<string | number, Map<string, T>>();

  constructor(rows: readonly T[], keyOf: (row: T) => string | number) {
    for (const row of rows) {
      const key = keyOf(row);
      let group = this.groups.get(key);
      if (group === undefined) {
        group = new Map();
        this.groups.set(key, group);
      }
      if (!group.has(row.prefix)) group.set(row.prefix, row);
    }
  }

  match(key: string | number, number: string): T | undefined {
    const group = this.groups.get(key);
    if (group === undefined) return undefined;
    for (let length = number.length; length >= 0; length--) {
      const row = group.get(length === number.length ? number : number.slice(0, length));
      if (row !== undefined) return row;
    }
    return undefined;
  }
}

const indexes = new WeakMap<object, PrefixIndex<{ readonly prefix: string }>>();

/** The index of a table, built once per table array (tables are immutable snapshots). */
export function prefixIndex<T extends { readonly prefix: string }>(
  rows: readonly T[],
  keyOf: (row: T) => string | number,
): PrefixIndex<T> {
  let index = indexes.get(rows) as PrefixIndex<T> | undefined;
  if (index === undefined) {
    index = new PrefixIndex(rows, keyOf);
    indexes.set(rows, index as PrefixIndex<{ readonly prefix: string }>);
  }
  return index;
}

/**
 * Recorded data as read back from the ledger: any field may be missing or
 * null (a record written before a field existed, an error verdict without
 * facts), so the page reads every field through this view and never throws.
 */
export type Loose<T> = T extends string | number | boolean
  ? T | null | undefined
  : T extends readonly (infer U)[]
    ? readonly Loose<U>[] | null | undefined
    : T extends object
      ? { readonly [K in keyof T]?: Loose<T[K]> } | null | undefined
      : T | null | undefined;

export type View<T> = NonNullable<Loose<T>>;

/**
 * The recorded value as a loose `T`; an empty record when it is not an object.
 *
 * @example view<PushRecord>(entry?.data).pusher?.name // undefined, never a throw
 */
export function view<T>(value: unknown): View<T> {
  return (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}) as View<T>;
}

/**
 * The recorded array without its null elements; empty when it is not an array.
 *
 * @example list(push.commits).map((c) => c.sha)
 */
export function list<T>(value: readonly T[] | null | undefined): NonNullable<T>[] {
  return Array.isArray(value) ? value.filter((v): v is NonNullable<T> => v !== null && v !== undefined) : [];
}

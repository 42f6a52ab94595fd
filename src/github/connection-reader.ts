import type { Connection } from './graphql/pull-request.types.js';

/**
 * Reads one GraphQL connection page by page and refuses to call a partial
 * list complete. It records a gap (and stops) when GitHub returns a null page
 * or null nodes, a cursor that does not advance, a `totalCount` that changes
 * between pages, duplicates, more pages than `maxPages`, or finally fewer
 * items than `totalCount`.
 *
 * @example
 * const reader = new ConnectionReader('commits', firstPage, { maxPages: 50, key: (n) => n.commit.oid });
 * while (reader.wantsMore) reader.accept(await fetchPage(reader.after));
 * reader.finish(); // reader.items, reader.gap
 */
export class ConnectionReader<T> {
  readonly items: T[] = [];
  gap: string | null = null;
  private readonly seen = new Set<string>();
  private total = 0;
  private cursor: string | null = null;
  private hasNext = false;
  private pages = 0;

  constructor(
    private readonly what: string,
    first: Connection<T> | null | undefined,
    private readonly options: { maxPages: number; key?: (item: T) => string },
  ) {
    this.accept(first);
  }

  /** Whether another page should be requested. */
  get wantsMore(): boolean {
    return this.gap === null && this.hasNext;
  }

  /** The cursor to pass as `after` for the next page. */
  get after(): string {
    return this.cursor ?? '';
  }

  accept(page: Connection<T> | null | undefined): void {
    if (this.gap !== null) return;
    if (!page) return this.fail(`GitHub returned no ${this.what} page`);
    if (this.pages > 0 && page.totalCount !== this.total) {
      return this.fail(`the number of ${this.what} changed while reading them (${this.total} → ${page.totalCount}); re-run to read a consistent list`);
    }
    this.pages += 1;
    this.total = page.totalCount;
    for (const node of page.nodes ?? []) {
      if (node === null) return this.fail(`GitHub withheld one of the ${this.what} (a null node)`);
      const key = this.options.key?.(node);
      if (key !== undefined) {
        if (this.seen.has(key)) return this.fail(`GitHub listed ${this.what} ${key} twice while paging`);
        this.seen.add(key);
      }
      this.items.push(node);
    }
    const next = page.pageInfo.endCursor;
    if (page.pageInfo.hasNextPage && (!next || next === this.cursor)) {
      return this.fail(`GitHub's cursor for ${this.what} did not advance after ${this.items.length} items`);
    }
    this.cursor = next;
    this.hasNext = page.pageInfo.hasNextPage;
    if (this.hasNext && this.pages >= this.options.maxPages) {
      this.fail(`more than ${this.items.length} ${this.what} (${this.total} in all): beyond the ${this.options.maxPages}-page limit Changeproof reads`);
    }
  }

  fail(reason: string): void {
    if (this.gap === null) this.gap = reason;
  }

  /** Call once no more pages will be read; checks the count against `totalCount`. */
  finish(): this {
    if (this.gap === null && this.items.length !== this.total) {
      this.fail(`GitHub listed ${this.items.length} of ${this.total} ${this.what}`);
    }
    return this;
  }
}

/**
 * Reads a single connection to the end with `fetchPage(after)`; a failed page
 * request becomes the reader's gap (with the reason), never a shorter list.
 *
 * @example
 * const runs = await readConnection('check runs', suite.checkRuns, (after) => fetchRuns(suite.id, after), { maxPages: 50 });
 */
export async function readConnection<T>(
  what: string,
  first: Connection<T> | null | undefined,
  fetchPage: (after: string) => Promise<Connection<T> | null | undefined>,
  options: { maxPages: number; key?: (item: T) => string; describeError: (error: unknown) => string },
): Promise<ConnectionReader<T>> {
  const reader = new ConnectionReader(what, first, options);
  while (reader.wantsMore) {
    try {
      reader.accept(await fetchPage(reader.after));
    } catch (error) {
      reader.fail(`could not read more ${what}: ${options.describeError(error)}`);
    }
  }
  return reader.finish();
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the
 * order. GitHub asks integrators not to flood it with concurrent requests
 * (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#avoid-concurrent-requests);
 * a small limit keeps long ranges quick without tripping secondary rate limits.
 *
 * @example
 * const pulls = await mapWithConcurrency(shas, 4, (sha) => pullsOf(sha));
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

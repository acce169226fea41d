/** `items` handed out one per turn of the event loop, as an async source hands them (a stage's
 * readers take AsyncIterable only). */
export function asyncIterableOf<T>(items: Iterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const it = items[Symbol.iterator]();
      return { next: () => Promise.resolve(it.next()) };
    },
  };
}

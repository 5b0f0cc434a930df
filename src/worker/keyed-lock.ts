/**
 * Runs operations on the same key one after another (operations on different keys run in parallel).
 * This is what makes concurrent `POST /connectors` of one name end in exactly one 201: the second
 * request only looks for the name after the first one has stored it.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(operation, operation);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    // Forget the key once its queue is empty, so the map does not grow with every name ever used.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

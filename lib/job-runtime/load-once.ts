/**
 * `load` run on the first call and its promise shared by every later one, so a
 * module loaded with `import()` (a handler, an SDK) is fetched once per instance.
 * A load that fails is forgotten: the next call tries again instead of repeating
 * the same rejection for the instance's lifetime.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

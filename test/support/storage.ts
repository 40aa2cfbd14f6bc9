// A Web Storage (localStorage / sessionStorage shape) over a Map, for Node tests of code that keeps
// tokens or sessions in the browser's storage.

/** A Storage backed by `map` (a new one by default); the map is exposed so tests can look inside. */
export function memoryStorage(map = new Map<string, string>()): Storage & { map: Map<string, string> } {
  return {
    map,
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    // Like the browser's, it stores text whatever it is given.
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

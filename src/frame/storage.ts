/**
 * The frame's own storage, for the visitor's conversation id. Browsers partition third-party storage
 * per top-level site, which is what we want: a visitor of two customer sites has two conversations.
 *
 * Every access can throw: reading `localStorage` throws a SecurityError when the browser blocks
 * third-party storage (Chromium "Block third-party cookies", Safari in some modes), and `setItem` throws
 * a QuotaExceededError when storage is full or disabled. Each call is wrapped where it is made and falls
 * back to memory, so the chat still works for this page view.
 */
export interface Store {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** `storage` is a getter, not the object: merely reading `window.localStorage` may throw. */
export function safeStore(storage: () => Storage | null | undefined): Store {
  const memory = new Map<string, string>();
  return {
    get(key) {
      try {
        const v = storage()?.getItem(key);
        if (v != null) return v;
      } catch {}
      return memory.get(key) ?? null;
    },
    set(key, value) {
      memory.set(key, value);
      try {
        storage()?.setItem(key, value);
      } catch {}
    },
    remove(key) {
      memory.delete(key);
      try {
        storage()?.removeItem(key);
      } catch {}
    },
  };
}

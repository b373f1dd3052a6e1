import { describe, expect, it } from 'vitest';
import { safeStore } from '../../src/frame/storage.js';

const memoryStorage = () => {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  } as unknown as Storage;
};
const throwing = () =>
  ({
    getItem() { throw new DOMException('denied', 'SecurityError'); },
    setItem() { throw new DOMException('full', 'QuotaExceededError'); },
    removeItem() { throw new DOMException('denied', 'SecurityError'); },
  }) as unknown as Storage;

describe('safeStore', () => {
  it('writes through to storage', () => {
    const s = memoryStorage();
    safeStore(() => s).set('k', 'v');
    expect(s.getItem('k')).toBe('v');
    expect(safeStore(() => s).get('k')).toBe('v');
  });

  it('falls back to memory when reading localStorage throws', () => {
    const store = safeStore(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    expect(store.get('k')).toBeNull();
    store.set('k', 'v');
    expect(store.get('k')).toBe('v');
    store.remove('k');
    expect(store.get('k')).toBeNull();
  });

  it('falls back to memory when every call throws', () => {
    const store = safeStore(throwing);
    store.set('k', 'v');
    expect(store.get('k')).toBe('v');
  });

  it('works without storage at all', () => {
    const store = safeStore(() => null);
    store.set('k', 'v');
    expect(store.get('k')).toBe('v');
  });

  it('remove clears both', () => {
    const s = memoryStorage();
    const store = safeStore(() => s);
    store.set('k', 'v');
    store.remove('k');
    expect(s.getItem('k')).toBeNull();
    expect(store.get('k')).toBeNull();
  });
});

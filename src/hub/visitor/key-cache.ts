/**
 * Keys by hash, cached so that a handshake normally touches no database. A write through the Admin API
 * invalidates the entry on this process at once; other processes drop theirs through the invalidation
 * bus (Redis pub/sub) or, without one, when the entry's TTL ends.
 */
import type { Kysely } from 'kysely';
import type { AgentPublic } from '../../protocol/handshake.js';
import type { IdentityMode } from '../../protocol/identity.js';
import type { KeyMode } from '../../protocol/keys.js';
import { compileAllowlist, parseStoredAllowlist, type AllowPattern } from '../allowlist/allowlist.js';
import type { Database } from '../db/schema.js';
import { findKeyByHash, keyHashById } from './repo.js';

export interface CachedKey {
  id: string;
  hash: string;
  accountId: string;
  agent: AgentPublic;
  last8: string;
  disabled: boolean;
  /** Mutable: the usage recorder sets it on first use so the next handshakes skip that write. */
  lastUsedAt: string | null;
  patterns: AllowPattern[];
  allowlistEmpty: boolean;
  /** Verified visitors (docs/identity.md); the secrets are read from the row by the identify route alone. */
  identity: IdentityMode;
  /** test: loopback origins only, whatever the allowlist (origin-check.ts). */
  mode: KeyMode;
}

interface Entry<V> { value: V; expiresAt: number }

/** Enough for every key of a large hub; past it the oldest entry goes (the map keeps insertion order). */
const MAX_ENTRIES = 50_000;

/**
 * "No such key" answers, kept apart from the real keys so that a flood of made-up keys can only evict
 * other misses, never a real key. Short-lived: a key created meanwhile drops its own miss at once (on
 * this process, and through the bus on the others); without a bus, a new key is found at most
 * MISS_TTL_MS after its creation.
 */
const MAX_MISSES = 10_000;
export const MISS_TTL_MS = 5_000;

export class KeyCache {
  private readonly byHash = new Map<string, Entry<CachedKey>>();
  private readonly misses = new Map<string, Entry<null>>();
  /** id → hash of the keys in byHash, so routes that know only the id (frame, sessions) stay O(1). */
  private readonly hashById = new Map<string, string>();
  private readonly listeners: Array<(hashes: string[] | null) => void> = [];
  /** Bumped by every drop: a read that overlapped one may predate the change and must not be cached. */
  private generation = 0;
  /** Off while the invalidation bus is down (see redis.ts): every lookup then reads the database. */
  private caching = true;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs: number,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** What the cache knows without a query: the key, null for a known miss, undefined when not cached. */
  cached(hash: string): CachedKey | null | undefined {
    const now = Date.now();
    const hit = this.byHash.get(hash);
    if (hit && hit.expiresAt > now) return hit.value;
    const miss = this.misses.get(hash);
    if (miss && miss.expiresAt > now) return null;
    return undefined;
  }

  async get(hash: string): Promise<CachedKey | null> {
    const known = this.cached(hash);
    if (known !== undefined) return known;
    const generation = this.generation;
    const found = await findKeyByHash(this.db, hash);
    // Stryker disable next-line ArrayDeclaration: without a row the allowlist is never read
    const allowlist = found ? parseStoredAllowlist(found.row.domain_allowlist) : [];
    const value: CachedKey | null = found && {
      id: found.row.id,
      hash,
      accountId: found.row.account_id,
      agent: found.agent,
      last8: found.row.key_last8,
      disabled: found.row.disabled_at !== null,
      lastUsedAt: found.row.last_used_at,
      patterns: compileAllowlist(allowlist),
      allowlistEmpty: allowlist.length === 0,
      identity: found.row.identity,
      mode: found.row.mode,
    };
    // An invalidation arrived while we read: the row we read may be older than the change it announced
    // (another process's message can overtake our query). Answer this request with it, since it began
    // before the change, but cache nothing that could outlive the change for a whole TTL.
    if (generation !== this.generation || !this.caching) return value;
    if (!value) {
      if (this.misses.size >= MAX_MISSES) this.misses.delete(this.misses.keys().next().value!);
      this.misses.set(hash, { value, expiresAt: Date.now() + Math.min(this.ttlMs, MISS_TTL_MS) });
      return value;
    }
    if (this.byHash.size >= this.maxEntries) this.remove(this.byHash.keys().next().value!);
    this.byHash.set(hash, { value, expiresAt: Date.now() + this.ttlMs });
    this.hashById.set(value.id, hash);
    return value;
  }

  /** For the frame and session routes, which know the key by id. */
  async getById(id: string): Promise<CachedKey | null> {
    const hash = this.hashById.get(id) ?? (await keyHashById(this.db, id));
    return hash ? this.get(hash) : null;
  }

  /** Drop some keys (by hash), or everything (`null`: the bus was lost); tells the bus. */
  invalidate(hashes: string[] | null): void {
    if (hashes?.length === 0) return;
    this.drop(hashes);
    for (const l of this.listeners) l(hashes);
  }

  /** Drop without telling the bus: for invalidations that came from the bus. */
  drop(hashes: string[] | null): void {
    // Stryker disable next-line UpdateOperator: any change will do, reads compare the generation for equality
    this.generation++;
    if (hashes === null) {
      this.byHash.clear();
      this.hashById.clear();
      this.misses.clear();
      return;
    }
    for (const hash of hashes) {
      this.remove(hash);
      this.misses.delete(hash);
    }
  }

  private remove(hash: string): void {
    const id = this.byHash.get(hash)?.value.id;
    // Stryker disable next-line ConditionalExpression: deleting undefined from the map does nothing
    if (id) this.hashById.delete(id);
    this.byHash.delete(hash);
  }

  setCaching(on: boolean): void {
    this.drop(null);
    this.caching = on;
  }

  onInvalidate(listener: (hashes: string[] | null) => void): void {
    this.listeners.push(listener);
  }
}

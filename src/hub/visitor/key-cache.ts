/**
 * Keys by hash, cached so that a handshake normally touches no database. A write through the Admin API
 * invalidates the entry on this process at once; other processes drop theirs through the invalidation
 * bus (Redis pub/sub) or, without one, when the entry's TTL ends.
 */
import type { Kysely } from 'kysely';
import type { AgentPublic } from '../../protocol/handshake.js';
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
}

interface Entry { value: CachedKey | null; expiresAt: number }

/** Enough for every key of a large hub; past it the oldest entry goes (the map keeps insertion order). */
const MAX_ENTRIES = 50_000;

export class KeyCache {
  private readonly byHash = new Map<string, Entry>();
  /** id → hash of the keys in byHash, so routes that know only the id (frame, sessions) stay O(1). */
  private readonly hashById = new Map<string, string>();
  private readonly listeners: Array<(hash: string | null) => void> = [];
  /** Bumped by every drop: a read that overlapped one may predate the change and must not be cached. */
  private generation = 0;
  /** Off while the invalidation bus is down (see redis.ts): every lookup then reads the database. */
  private caching = true;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs: number,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  async get(hash: string): Promise<CachedKey | null> {
    const hit = this.byHash.get(hash);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
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
    };
    // An invalidation arrived while we read: the row we read may be older than the change it announced
    // (another process's message can overtake our query). Answer this request with it, since it began
    // before the change, but cache nothing that could outlive the change for a whole TTL.
    if (generation !== this.generation || !this.caching) return value;
    if (this.byHash.size >= this.maxEntries) this.remove(this.byHash.keys().next().value!);
    this.byHash.set(hash, { value, expiresAt: Date.now() + this.ttlMs });
    if (value) this.hashById.set(value.id, hash);
    return value;
  }

  /** For the frame and session routes, which know the key by id. */
  async getById(id: string): Promise<CachedKey | null> {
    const hash = this.hashById.get(id) ?? (await keyHashById(this.db, id));
    return hash ? this.get(hash) : null;
  }

  /** Drop one key (by hash), or everything (`null`, e.g. after an agent changed); tells the bus. */
  invalidate(hash: string | null): void {
    this.drop(hash);
    for (const l of this.listeners) l(hash);
  }

  /** Drop without telling the bus: for invalidations that came from the bus. */
  drop(hash: string | null): void {
    // Stryker disable next-line UpdateOperator: any change will do, reads compare the generation for equality
    this.generation++;
    if (hash === null) {
      this.byHash.clear();
      this.hashById.clear();
      return;
    }
    this.remove(hash);
  }

  private remove(hash: string): void {
    const id = this.byHash.get(hash)?.value?.id;
    // Stryker disable next-line ConditionalExpression: deleting `undefined` from the map is a no-op
    if (id) this.hashById.delete(id);
    this.byHash.delete(hash);
  }

  setCaching(on: boolean): void {
    this.drop(null);
    this.caching = on;
  }

  onInvalidate(listener: (hash: string | null) => void): void {
    this.listeners.push(listener);
  }
}

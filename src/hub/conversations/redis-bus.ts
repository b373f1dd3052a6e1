/**
 * The conversation bus over Redis (production mode): one channel per conversation, subscribed by a
 * process only while it holds a stream of that conversation, and the text so far of each streaming
 * reply in a key of its own, appended and published in one MULTI so that readers see every character
 * once (bus.ts). Channel names carry a hash of the conversation id, never the id: it is the visitor's
 * only handle and is treated like a token (MONITOR, slow logs).
 *
 * Pub/sub drops what is published while a subscriber is disconnected: after a reconnection every local
 * reader catches up from the store and the reply keys (onResync).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisClient } from '../redis.js';
import type { BusEvent, BusListener, ConversationBus } from './bus.js';

/** A reply key outlives any turn (the lease bounds those); it only has to vanish eventually. */
const REPLY_TTL_MS = 60 * 60_000;

const channelOf = (conversationId: string) => `kataven:conv:${createHash('sha256').update(conversationId).digest('base64url').slice(0, 32)}`;
const replyKey = (messageId: string) => `kataven:reply:${messageId}`;

interface Channel { listeners: Set<BusListener>; ready: Promise<unknown> }

export async function redisBus(url: string, publisher: Redis): Promise<ConversationBus> {
  const subscriber = redisClient(url);
  const channels = new Map<string, Channel>();
  const resyncs: Array<() => void> = [];
  let lost = false;
  subscriber.on('message', (channel: string, payload: string) => {
    const c = channels.get(channel);
    if (!c) return;
    let event: BusEvent;
    try {
      event = JSON.parse(payload) as BusEvent;
    } catch {
      return;
    }
    for (const l of c.listeners) l(event);
  });
  subscriber.on('close', () => (lost = true));
  subscriber.on('ready', () => {
    if (!lost) return;
    lost = false;
    const names = [...channels.keys()];
    void (names.length ? subscriber.subscribe(...names) : Promise.resolve()).then(
      () => resyncs.forEach((fn) => fn()),
      () => {
        // Lost again: the next 'ready' retries.
      },
    );
  });
  // Ready before the first stream opens, normally; when Redis is away at start, subscriptions fail (503)
  // until it is back, like every other Redis use.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    subscriber.once('ready', () => (clearTimeout(timer), resolve()));
  });

  return {
    async subscribe(conversationId, listener) {
      const name = channelOf(conversationId);
      let c = channels.get(name);
      if (!c) {
        c = { listeners: new Set(), ready: subscriber.subscribe(name) };
        channels.set(name, c);
        c.ready.catch(() => channels.get(name) === c && channels.delete(name));
      }
      c.listeners.add(listener);
      const entry = c;
      try {
        await entry.ready;
      } catch (err) {
        entry.listeners.delete(listener);
        throw err;
      }
      return () => {
        entry.listeners.delete(listener);
        if (entry.listeners.size === 0 && channels.get(name) === entry) {
          channels.delete(name);
          subscriber.unsubscribe(name).catch(() => {});
        }
      };
    },
    async publish(conversationId, event) {
      await publisher.publish(channelOf(conversationId), JSON.stringify(event));
    },
    async appendDelta(conversationId, messageId, text, end) {
      const event: BusEvent = { kind: 'delta', message_id: messageId, text, end };
      const key = replyKey(messageId);
      const results = await publisher.multi().append(key, text).pexpire(key, REPLY_TTL_MS).publish(channelOf(conversationId), JSON.stringify(event)).exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('Redis MULTI was discarded');
    },
    async replyText(messageId) {
      return publisher.get(replyKey(messageId));
    },
    async dropReply(messageId) {
      await publisher.del(replyKey(messageId));
    },
    onResync(fn) {
      resyncs.push(fn);
    },
    async close() {
      channels.clear();
      subscriber.disconnect();
    },
  };
}

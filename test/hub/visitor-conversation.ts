/**
 * A conversation as a visitor starts it: a widget key of the account, a handshake from an allowed site,
 * then the frame's POST. Shared by the Admin API, client and CLI tests of conversations.
 */
import { expect, vi } from 'vitest';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { call } from '../helpers/http.js';
import { createWidgetKey, handshakeAt } from '../helpers/widget.js';

export interface VisitorConversation {
  id: string;
  widgetKeyId: string;
  /** The visitor's session token, for the frame's own calls. */
  token: string;
  createdAt: string;
}

export const SITE = 'https://shop.example';

/** A visitor's conversation on the hub at `base`, in the account of `secretKey`; with `key`, on that widget key. */
export async function visitorConversation(base: string, secretKey: string, key?: { id: string; key: string }): Promise<VisitorConversation> {
  const widgetKey = key ?? (await createWidgetKey(base, secretKey, [SITE]));
  const hs = await handshakeAt(base, widgetKey.key, SITE);
  if (hs.status !== 200) throw new Error(`handshake: ${hs.status} ${JSON.stringify(hs.body)}`);
  const token = hs.body.session_token as string;
  const conv = await call(base, 'POST', WIDGET_API.conversations, { key: token, body: {} });
  if (conv.status !== 201) throw new Error(`start conversation: ${conv.status} ${JSON.stringify(conv.body)}`);
  return { id: conv.body.id, widgetKeyId: widgetKey.id, token, createdAt: conv.body.created_at };
}

/**
 * `n` conversations started one after the other, on one widget key, each in a later millisecond than the
 * one before, so that "newest first" has one answer (ids are random, and ties fall back to them).
 */
export async function visitorConversations(base: string, secretKey: string, n: number): Promise<VisitorConversation[]> {
  const key = await createWidgetKey(base, secretKey, [SITE]);
  const made: VisitorConversation[] = [];
  for (let i = 0; i < n; i++) {
    const conv = await visitorConversation(base, secretKey, key);
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(Date.parse(conv.createdAt)));
    made.push(conv);
  }
  return made;
}

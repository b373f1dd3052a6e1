/**
 * A conversation as a visitor starts it: a widget key of the account, a handshake from an allowed site,
 * then the frame's POST. Shared by the Admin API, client and CLI tests of conversations.
 */
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { call } from '../helpers/http.js';
import { createWidgetKey, handshakeAt } from '../helpers/widget.js';

export interface VisitorConversation {
  id: string;
  widgetKeyId: string;
  /** The visitor's session token, for the frame's own calls. */
  token: string;
}

export const SITE = 'https://shop.example';

/** A visitor's conversation on the hub at `base`, in the account of `secretKey`; with `keyId`, on that key. */
export async function visitorConversation(base: string, secretKey: string, key?: { id: string; key: string }): Promise<VisitorConversation> {
  const widgetKey = key ?? (await createWidgetKey(base, secretKey, [SITE]));
  const hs = await handshakeAt(base, widgetKey.key, SITE);
  if (hs.status !== 200) throw new Error(`handshake: ${hs.status} ${JSON.stringify(hs.body)}`);
  const token = hs.body.session_token as string;
  const conv = await call(base, 'POST', WIDGET_API.conversations, { key: token, body: {} });
  if (conv.status !== 201) throw new Error(`start conversation: ${conv.status} ${JSON.stringify(conv.body)}`);
  return { id: conv.body.id, widgetKeyId: widgetKey.id, token };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDSHAKE_ERROR_TYPES } from '../../src/protocol/error-types.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake } from '../helpers/widget.js';

describe('refusals that name what the route takes', () => {
  let hub: TestHub;
  let clientKey: string;
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
    clientKey = (await createKey(hub, ['shop.example'])).key;
  });
  afterAll(() => hub.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(hub.url + path, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://shop.example', ...headers }, body }).then(
      async (res) => ({ status: res.status, body: (await res.json()) as { error: { type: string; message: string } } }),
    );

  it.each([
    ['the handshake', '/api/v1/widget/handshake', 2_000, '1 KB'],
    ["the frame's API", WIDGET_API.conversations, 20_000, '16 KB'],
    ['the Admin API', '/api/v1/widget-keys', 70_000, '64 KB'],
  ])('refuses an oversize body to %s with its own limit', async (_name, path, size, limit) => {
    const res = await post(path, JSON.stringify({ name: 'x'.repeat(size) }));
    expect(res.status).toBe(413);
    expect(res.body.error.type).toBe('body_too_large');
    expect(res.body.error.message).toBe(`The request body is too large; send at most ${limit}`);
  });

  it('answers the handshake only with error types the protocol lists', async () => {
    const answers = await Promise.all([
      post('/api/v1/widget/handshake', 'x'.repeat(2_000), { 'content-type': 'text/plain' }),
      post('/api/v1/widget/handshake', '{"client_key": '),
      post('/api/v1/widget/handshake', '{}', { 'content-type': 'image/png' }),
      post('/api/v1/widget/handshake', JSON.stringify({ client_key: 'pk_live_nope' })),
      post('/api/v1/widget/handshake', JSON.stringify({ client_key: clientKey }), { origin: 'https://other.example' }),
      handshake(hub, clientKey, 'null'),
    ]);
    const types = answers.map((a) => a.body.error.type);
    expect(types).toEqual(['body_too_large', 'invalid_json', 'unsupported_media_type', 'key_malformed', 'origin_not_allowed', 'origin_missing']);
    for (const type of types) expect(HANDSHAKE_ERROR_TYPES).toContain(type);
  });
});

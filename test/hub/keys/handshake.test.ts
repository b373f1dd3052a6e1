/** The handshake refuses a malformed key before it looks for it (DESIGN.md: "no database touch for garbage"). */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HANDSHAKE_PATH } from '../../../src/protocol/handshake.js';
import { generateKey } from '../../../src/hub/keys/format.js';
import { call } from '../../helpers/http.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

describe('handshake key format', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  const handshake = (clientKey: string) =>
    call(hub.url, 'POST', HANDSHAKE_PATH, { body: JSON.stringify({ client_key: clientKey }), headers: { 'content-type': 'text/plain', origin: 'https://shop.example' } });

  it('a key with a bad checksum never reaches the database', async () => {
    // The key cache is the only way from the handshake to the widget_keys table.
    const lookups = vi.spyOn(hub.ctx.keys, 'get');
    const res = await handshake('pk_live_' + 'A'.repeat(38));
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('key_malformed');
    expect(lookups).not.toHaveBeenCalled();
    // The same request with a key that is only unknown does look it up, and says so.
    const unknown = await handshake(generateKey('pk_live_'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.type).toBe('key_not_found');
    expect(lookups).toHaveBeenCalledTimes(1);
    lookups.mockRestore();
  });
});

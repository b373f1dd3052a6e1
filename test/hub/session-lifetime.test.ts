/** A session cannot be refreshed for ever: its start (`sst`) stays across refreshes and bounds every token. */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, widgetCall, type CreatedKey } from '../helpers/widget.js';

const SITE = 'https://shop.example';
const LIFETIME_S = 900;

describe('session lifetime', () => {
  let hub: TestHub;
  let key: CreatedKey;
  beforeAll(async () => {
    hub = await startTestHub('sqlite', { sessionLifetimeS: LIFETIME_S });
    key = await createKey(hub, ['shop.example']);
  });
  afterAll(() => hub.close());

  /** A token of this key's session, signed by the hub's own signer, as if its handshake were `ageS` ago. */
  const sessionStartedAgo = async (ageS: number) =>
    (await hub.ctx.sessions.sign({ kid: key.id, acc: hub.account.account_id, agt: hub.account.agent_id, org: SITE, sst: Math.floor(Date.now() / 1000) - ageS })).token;

  it('keeps the handshake time as sst across refreshes', async () => {
    const first = (await handshake(hub, key.key, SITE)).body.session_token;
    const sst = decodeJwt(first).sst;
    expect(sst).toBeTypeOf('number');
    const refreshed = await widgetCall(hub, first, 'POST', WIDGET_API.session, {});
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.session_token).sst).toBe(sst);
  });

  it('never issues a token that outlives the session', async () => {
    const token = await sessionStartedAgo(LIFETIME_S - 120);
    const refreshed = await widgetCall(hub, token, 'POST', WIDGET_API.session, {});
    expect(refreshed.status).toBe(200);
    const claims = decodeJwt(refreshed.body.session_token);
    expect(claims.exp).toBe((claims.sst as number) + LIFETIME_S);
  });

  it('answers the last refresh with 401 session_ended, saying a new handshake continues', async () => {
    // The last token ends with the session; the frame refreshes it shortly before, which ends the session
    // rather than issue a token of under a minute.
    const res = await widgetCall(hub, await sessionStartedAgo(LIFETIME_S - 30), 'POST', WIDGET_API.session, {});
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe('session_ended');
    expect(res.body.error.message).toContain('new handshake');
  });

  it('signs no live token for a session already over', async () => {
    const token = await sessionStartedAgo(LIFETIME_S + 1);
    expect(decodeJwt(token).exp).toBeLessThan(Date.now() / 1000);
    const res = await widgetCall(hub, token, 'POST', WIDGET_API.session, {});
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe('session_invalid');
  });

  it('still lets a new handshake start a new session', async () => {
    const res = await handshake(hub, key.key, SITE);
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.session_token).sst).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
  });
});

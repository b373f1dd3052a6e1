/**
 * The console's session over HTTP, on both databases: the secret key exchanged for a cookie, the Admin
 * API answering to that cookie, the CSRF check on every write made with it, sign-out ending it on the hub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSecretKey } from '../../src/hub/accounts/repo.js';
import { CONSOLE_COOKIE, CONSOLE_COOKIE_SECURE, CONSOLE_CSRF_HEADER, CONSOLE_SESSION_PATH, CONSOLE_SESSION_TTL_S } from '../../src/protocol/console.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe.each(DIALECTS)('console sessions on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { adminAuthFailureLimit: 1000 });
  });
  afterAll(() => hub.close());

  const same = { 'sec-fetch-site': 'same-origin' };
  /** Signs in; the cookie as a browser would send it back, and the session's answer. */
  async function signIn(secret = hub.account.secret_key) {
    const r = await hub.api(CONSOLE_SESSION_PATH, { method: 'POST', key: null, headers: same, body: { secret_key: secret } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const setCookie = r.headers.get('set-cookie')!;
    return { setCookie, cookie: setCookie.split(';')[0]!, session: r.body };
  }
  const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ key: null, headers: { cookie, ...extra } });

  it('signs in with the secret key: an HttpOnly, SameSite=Strict cookie that ends in 8 hours, not Secure over http', async () => {
    const { setCookie, session } = await signIn();
    expect(setCookie).toMatch(new RegExp(`^${CONSOLE_COOKIE}=[A-Za-z0-9_-]{43}; `));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain(`Max-Age=${CONSOLE_SESSION_TTL_S}`);
    expect(setCookie).not.toContain('Secure');
    expect(session.account.id).toBe(hub.account.account_id);
    expect(session.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(session.expires_at) - Date.now()).toBeGreaterThan((CONSOLE_SESSION_TTL_S - 60) * 1000);
    // The secret key is nowhere in what the browser receives.
    expect(JSON.stringify(session) + setCookie).not.toContain(hub.account.secret_key);
  });

  it('refuses a wrong secret key in words for the person at the form, and sets no cookie', async () => {
    const r = await hub.api(CONSOLE_SESSION_PATH, { method: 'POST', key: null, headers: same, body: { secret_key: 'sk_live_nope' } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toBe("The API key is malformed (wrong prefix, length or checksum). Paste the account's secret key (sk_live_…), which `kataven accounts create` and `npm start` print");
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('names a test widget key given at sign-in as the public key it is', async () => {
    const r = await hub.api(CONSOLE_SESSION_PATH, { method: 'POST', key: null, headers: same, body: { secret_key: 'pk_test_' + 'A'.repeat(38) } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/^That is a public widget key \(pk_test_…\), the one a site's tag carries; this takes a secret key\. Paste the account's secret key/);
    // The Admin API keeps telling programs how to send one.
    const api = await hub.api('/api/v1/widget-keys', { key: 'pk_test_' + 'A'.repeat(38) });
    expect(api.body.error.message).toContain('Send `Authorization: Bearer sk_live_…`');
  });

  it('refuses a sign-in started by another site (login CSRF)', async () => {
    const r = await hub.api(CONSOLE_SESSION_PATH, { method: 'POST', key: null, headers: { 'sec-fetch-site': 'cross-site' }, body: { secret_key: hub.account.secret_key } });
    expect(r.status).toBe(403);
    expect(r.body.error.type).toBe('csrf_refused');
    const byOrigin = await hub.api(CONSOLE_SESSION_PATH, { method: 'POST', key: null, headers: { origin: 'https://evil.example' }, body: { secret_key: hub.account.secret_key } });
    expect(byOrigin.status).toBe(403);
  });

  it('answers the Admin API to the cookie: reads with the cookie alone', async () => {
    const { cookie } = await signIn();
    const r = await hub.api('/api/v1/widget-keys', withCookie(cookie));
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([]);
    const me = await hub.api(CONSOLE_SESSION_PATH, withCookie(cookie));
    expect(me.status).toBe(200);
    expect(me.body.account.id).toBe(hub.account.account_id);
  });

  it('takes a write with the cookie, the CSRF header and a same-origin request', async () => {
    const { cookie, session } = await signIn();
    const r = await hub.api('/api/v1/widget-keys', { ...withCookie(cookie, { ...same, [CONSOLE_CSRF_HEADER]: session.csrf_token }), method: 'POST', body: { name: 'From the console' } });
    expect(r.status).toBe(201);
    expect(r.body.key).toMatch(/^pk_live_/);
  });

  it('refuses a write with the cookie but no CSRF header, as a forged form POST would be', async () => {
    const { cookie } = await signIn();
    const form = await hub.api('/api/v1/widget-keys', {
      ...withCookie(cookie, { 'content-type': 'text/plain' }), method: 'POST', body: '{"name":"forged"}',
    });
    // A form's body is no JSON: refused before it is read (the parser runs before authentication).
    expect(form.status).toBe(400);
    const json = await hub.api('/api/v1/widget-keys', { ...withCookie(cookie, same), method: 'POST', body: { name: 'forged' } });
    expect(json.status).toBe(403);
    expect(json.body.error.type).toBe('csrf_refused');
    expect(json.body.error.message).toContain(CONSOLE_CSRF_HEADER);
    const list = await hub.api('/api/v1/widget-keys');
    expect(list.body.data.map((k: { name: string }) => k.name)).not.toContain('forged');
  });

  it('refuses a write with a wrong CSRF token, or one from another session', async () => {
    const a = await signIn();
    const b = await signIn();
    for (const token of ['x'.repeat(43), b.session.csrf_token, '']) {
      const r = await hub.api('/api/v1/agents', { ...withCookie(a.cookie, { ...same, [CONSOLE_CSRF_HEADER]: token }), method: 'POST', body: { name: 'nope' } });
      expect(r.status).toBe(403);
    }
  });

  it('refuses a write the browser says another site started, even with the right token', async () => {
    const { cookie, session } = await signIn();
    const csrf = { [CONSOLE_CSRF_HEADER]: session.csrf_token };
    const cross = await hub.api('/api/v1/agents', { ...withCookie(cookie, { ...csrf, 'sec-fetch-site': 'cross-site' }), method: 'POST', body: { name: 'nope' } });
    expect(cross.status).toBe(403);
    const sameSite = await hub.api('/api/v1/agents', { ...withCookie(cookie, { ...csrf, 'sec-fetch-site': 'same-site' }), method: 'POST', body: { name: 'nope' } });
    expect(sameSite.status).toBe(403);
    const origin = await hub.api('/api/v1/agents', { ...withCookie(cookie, { ...csrf, origin: 'https://evil.example' }), method: 'POST', body: { name: 'nope' } });
    expect(origin.status).toBe(403);
    const own = await hub.api('/api/v1/agents', { ...withCookie(cookie, { ...csrf, origin: hub.url }), method: 'POST', body: { name: 'yes' } });
    expect(own.status).toBe(201);
  });

  it('judges a request with a Bearer key by the key alone, whatever cookie comes along', async () => {
    const r = await hub.api('/api/v1/agents', { method: 'POST', headers: { cookie: `${CONSOLE_COOKIE}=garbage` }, body: { name: 'by key' } });
    expect(r.status).toBe(201);
  });

  it('refuses an unknown cookie value with a message that says to sign in again', async () => {
    const r = await hub.api('/api/v1/widget-keys', withCookie(`${CONSOLE_COOKIE}=${'a'.repeat(43)}`));
    expect(r.status).toBe(401);
    expect(r.body.error.type).toBe('session_expired');
    expect(r.body.error.message).toContain('/console');
  });

  it('signs out: the cookie cleared, the session ended on the hub (the old cookie no longer works)', async () => {
    const { cookie, session } = await signIn();
    const noToken = await hub.api(CONSOLE_SESSION_PATH, { ...withCookie(cookie, same), method: 'DELETE' });
    expect(noToken.status).toBe(403);
    const out = await hub.api(CONSOLE_SESSION_PATH, { ...withCookie(cookie, { ...same, [CONSOLE_CSRF_HEADER]: session.csrf_token }), method: 'DELETE' });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${CONSOLE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`));
    expect((await hub.api('/api/v1/widget-keys', withCookie(cookie))).status).toBe(401);
    expect((await hub.api(CONSOLE_SESSION_PATH, withCookie(cookie))).status).toBe(401);
  });

  it('ends the session when the secret key that opened it is rotated away', async () => {
    const { cookie } = await signIn();
    expect((await hub.api('/api/v1/agents', withCookie(cookie))).status).toBe(200);
    const rotated = await rotateSecretKey(hub.store.db, hub.account.account_id, 0);
    hub.account.secret_key = rotated!.secret_key;
    expect((await hub.api('/api/v1/agents', withCookie(cookie))).status).toBe(401);
  });
});

describe('console sessions behind https', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite', { publicUrl: 'https://hub.example.com' });
  });
  afterAll(() => hub.close());

  it('sets a Secure, __Host- prefixed cookie when the public URL is https', async () => {
    const r = await hub.api(CONSOLE_SESSION_PATH, { method: 'POST', key: null, headers: { origin: 'https://hub.example.com' }, body: { secret_key: hub.account.secret_key } });
    expect(r.status).toBe(200);
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie.startsWith(`${CONSOLE_COOKIE_SECURE}=`)).toBe(true);
    expect(setCookie).toContain('; Secure');
    expect(r.body.hub_url).toBe('https://hub.example.com');
    // The plain name is not read on an https hub: it could have been planted by a sibling http site.
    const cookie = setCookie.split(';')[0]!.replace(CONSOLE_COOKIE_SECURE, CONSOLE_COOKIE);
    expect((await hub.api('/api/v1/agents', { key: null, headers: { cookie } })).status).toBe(401);
  });
});

describe('console sessions behind a proxy that terminates https', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite', { trustProxy: '127.0.0.1' });
  });
  afterAll(() => hub.close());

  it('sets a Secure cookie when the trusted proxy says the request came over https', async () => {
    const r = await hub.api(CONSOLE_SESSION_PATH, { method: 'POST', key: null, headers: { 'x-forwarded-proto': 'https', 'sec-fetch-site': 'same-origin' }, body: { secret_key: hub.account.secret_key } });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toContain('; Secure');
  });
});

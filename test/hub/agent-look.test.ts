/**
 * How an agent's widget looks and speaks, over HTTP: theme and locale on the agent, the accent warnings,
 * and the language the hub chooses for the frame document and the iframe title (issue 13).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshakeAt } from '../helpers/widget.js';

const ORIGIN = 'https://shop.example';

describe.each(DIALECTS)('agent look on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
    if (!hub.ctx.assets) throw new Error('dist/ is not built: run `npm run build` (npm test does it first)');
  });
  afterAll(() => hub.close());

  const create = (body: Record<string, unknown>) => hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Ada', ...body } });
  const patch = (id: string, body: Record<string, unknown>) => hub.api(`/api/v1/agents/${id}`, { method: 'PATCH', body });
  /** A key answered by a new agent with `look`, and its frame document fetched with `headers`. */
  async function keyFor(look: Record<string, unknown>) {
    const agent = (await create(look)).body;
    const key = await createKey(hub, ['shop.example'], { agent_id: agent.id });
    return { agent, key };
  }
  const frame = (keyId: string, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}/widget/v1/frame?k=${keyId}&o=${encodeURIComponent(ORIGIN)}`, { headers });
  const docLang = async (res: Response) => /<html lang="([a-z]+)" dir="(ltr|rtl)">/.exec(await res.text())?.slice(1);

  it('defaults to theme auto and no locale, and keeps what is set', async () => {
    const { body: plain } = await create({});
    expect([plain.theme, plain.locale, plain.warnings]).toEqual(['auto', null, undefined]);
    const { body: set } = await create({ theme: 'dark', locale: 'he' });
    expect([set.theme, set.locale]).toEqual(['dark', 'he']);
    const changed = await patch(set.id, { theme: 'light', locale: null });
    expect([changed.body.theme, changed.body.locale]).toEqual(['light', null]);
    expect((await hub.api(`/api/v1/agents/${set.id}`)).body).toMatchObject({ theme: 'light', locale: null });
  });

  it('refuses a theme or locale it does not know, naming the field', async () => {
    for (const body of [{ theme: 'sepia' }, { locale: 'xx' }, { locale: 'de-DE' }]) {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request');
      expect(res.body.error.message).toContain(Object.keys(body)[0]);
    }
  });

  it('warns about an accent under 3:1 on white, and says what the widget does', async () => {
    const res = await create({ accent_color: '#F59E0B' });
    expect(res.status).toBe(201);
    expect(res.body.accent_color).toBe('#f59e0b');
    expect(res.body.warnings).toEqual([{ field: 'accent_color', message: expect.stringContaining('2.15:1 contrast against a white page') }]);
    expect(res.body.warnings[0].message).toContain('outlines its launcher');
    // Only in the answer to the write: reading the agent says nothing.
    expect((await hub.api(`/api/v1/agents/${res.body.id}`)).body.warnings).toBeUndefined();
    const fixed = await patch(res.body.id, { accent_color: '#b45309' });
    expect(fixed.body.warnings).toBeUndefined();
    const again = await patch(res.body.id, { accent_color: '#10b981' });
    expect(again.body.warnings).toHaveLength(1);
  });

  it('warns when the widget darkens the accent for its text', async () => {
    const res = await create({ accent_color: '#d9480f' });
    expect(res.body.warnings).toEqual([{ field: 'accent_color', message: expect.stringMatching(/use the darker #[0-9a-f]{6}/) }]);
  });

  it("serves the frame in the visitor's browser language, else English, and says it varies", async () => {
    const { key } = await keyFor({});
    const de = await frame(key.id, { 'accept-language': 'de-CH,de;q=0.9,en;q=0.5' });
    expect(de.status).toBe(200);
    expect(de.headers.get('vary')).toContain('Accept-Language');
    expect(await docLang(de)).toEqual(['de', 'ltr']);
    expect(await docLang(await frame(key.id, { 'accept-language': 'ar' }))).toEqual(['ar', 'rtl']);
    expect(await docLang(await frame(key.id, { 'accept-language': 'nl' }))).toEqual(['en', 'ltr']);
    expect(await docLang(await frame(key.id))).toEqual(['en', 'ltr']);
  });

  it("serves the frame in the agent's locale whatever the browser says, with that language's script and hash", async () => {
    const { key } = await keyFor({ locale: 'ja' });
    const res = await frame(key.id, { 'accept-language': 'fr' });
    const html = await res.text();
    expect(html).toContain('<html lang="ja" dir="ltr">');
    expect(html).toContain('メッセージを入力');
    expect(html).not.toContain('Écrivez');
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const { createHash } = await import('node:crypto');
    expect(res.headers.get('content-security-policy')).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    // One ETag per language: a cache that ignores Vary still cannot serve one language for another.
    const en = await frame((await keyFor({ locale: 'en' })).key.id);
    expect(en.headers.get('etag')).not.toBe(res.headers.get('etag'));
  });

  it("titles the iframe in the frame's language, with the agent's look in the handshake", async () => {
    const { key } = await keyFor({ theme: 'dark' });
    const hs = await handshakeAt(hub.url, key.key, ORIGIN, { 'accept-language': 'es-MX,es;q=0.9' });
    expect(hs.status).toBe(200);
    expect(hs.body.agent).toMatchObject({ name: 'Ada', theme: 'dark', locale: null, title: 'Chat con Ada' });
    expect(hs.headers.get('vary')).toContain('Accept-Language');
    const { key: hebrew } = await keyFor({ locale: 'he' });
    expect((await handshakeAt(hub.url, hebrew.key, ORIGIN, { 'accept-language': 'en' })).body.agent.title).toBe('צ׳אט עם Ada');
  });

  it('shows a changed look at the next load (the key cache forgets the agent)', async () => {
    const { agent, key } = await keyFor({});
    expect(await docLang(await frame(key.id))).toEqual(['en', 'ltr']);
    await patch(agent.id, { locale: 'fr' });
    expect(await docLang(await frame(key.id))).toEqual(['fr', 'ltr']);
  });
});

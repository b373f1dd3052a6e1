/** The handshake's 200 written as JSON text (src/hub/handshake/body.ts): what JSON.stringify gave, byte for byte. */
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../src/frame/lang/index.js';
import { agentJson, handshakeJson } from '../../src/hub/handshake/body.js';
import type { AgentPublic, HandshakeResponse } from '../../src/protocol/handshake.js';

const agent = (name: string): AgentPublic => ({ id: 'ag_1', name, greeting: 'Hi "there"\n\\ ✓', accent_color: '#4f46e5', theme: 'auto', locale: null });

describe('the handshake body', () => {
  it('is JSON.stringify of the answer, field order included, whatever the strings hold', () => {
    const a = agent('Bücher "Hilfe"');
    for (const hub of ['https://hub.example', 'http://odd"host\\:8080']) {
      const answer: HandshakeResponse = {
        session_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig',
        expires_at: '2026-12-02T05:00:00.000Z',
        frame_url: `${hub}/widget/v1/frame?k=wk_1&o=https%3A%2F%2Fshop.example`,
        agent: { ...a, title: TABLES.de.frameTitle(a.name) },
        identity: 'off',
        mode: 'test',
      };
      expect(handshakeJson({ ...answer, agent: agentJson(a, 'de') })).toBe(JSON.stringify(answer));
    }
  });

  it("writes an agent once per language, and a changed agent (a new object from the key cache) anew", () => {
    const a = agent('Support');
    expect(JSON.parse(agentJson(a, 'fr'))).toEqual({ ...a, title: TABLES.fr.frameTitle('Support') });
    expect(JSON.parse(agentJson(a, 'ja')).title).toBe(TABLES.ja.frameTitle('Support'));
    expect(agentJson(a, 'fr')).toBe(agentJson(a, 'fr'));
    const renamed = { ...a, name: 'Help desk' };
    expect(JSON.parse(agentJson(renamed, 'fr'))).toEqual({ ...renamed, title: TABLES.fr.frameTitle('Help desk') });
  });
});

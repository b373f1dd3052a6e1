/** The SSRF rule: at save (checkAgentUrl) and at send, after DNS, over a real local server. */
import { afterEach, describe, expect, it } from 'vitest';
import { blockedKind, checkAgentUrl, type Resolver } from '../../../src/hub/agent-call/url-guard.js';
import { agentServer, expectNothingInternal, run, webhook, type AgentServer } from './support.js';

describe('checkAgentUrl', () => {
  const refused: [url: string, kind: RegExp][] = [
    ['http://127.0.0.1:8787/hook', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://2130706433/', /loopback/], // 127.0.0.1 written as one number
    ['http://0x7f.0.0.1/', /loopback/],
    ['http://localhost:3000/', /loopback/],
    ['http://api.localhost/', /loopback/],
    ['http://LOCALHOST./', /loopback/],
    ['http://[::1]/', /loopback/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://10.1.2.3/', /private/],
    ['http://172.16.0.1/', /private/],
    ['http://172.31.255.255/', /private/],
    ['http://192.168.1.10/', /private/],
    ['http://100.64.0.1/', /CGNAT/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[fd00::1]/', /unique local/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[::ffff:169.254.169.254]/', /link-local/],
    ['http://[::ffff:a01:203]/', /private/], // ::ffff:10.1.2.3
    ['http://[64:ff9b::10.0.0.1]/', /private/], // NAT64
    ['http://[2002:c0a8:0101::1]/', /private/], // 6to4 of 192.168.1.1
    ['http://[::127.0.0.1]/', /loopback/], // IPv4-compatible
    ['http://224.0.0.1/', /multicast/],
    ['http://[ff02::1]/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
  ];
  for (const [url, kind] of refused) {
    it(`refuses ${url}`, () => {
      const check = checkAgentUrl(url, { allowPrivate: false, field: 'webhook_url' });
      expect(check.ok).toBe(false);
      if (!check.ok) {
        expect(check.message).toMatch(kind);
        expect(check.message).toMatch(/^webhook_url points at .* KATAVEN_ALLOW_PRIVATE_WEBHOOKS=true/);
      }
    });
  }

  const allowed = ['https://agent.example.com/kataven', 'http://8.8.8.8/', 'https://[2606:4700::1111]/', 'http://172.32.0.1/', 'http://[::ffff:8.8.8.8]/', 'https://localhost.example.com/'];
  for (const url of allowed) {
    it(`allows ${url}`, () => expect(checkAgentUrl(url, { allowPrivate: false })).toMatchObject({ ok: true }));
  }

  it('allows inner addresses when the operator switched private networks on', () => {
    for (const [url] of refused) expect(checkAgentUrl(url, { allowPrivate: true }).ok).toBe(true);
  });

  const malformed: [url: string, message: RegExp][] = [
    ['agent.example.com/hook', /is not a URL: write it in full/],
    ['ftp://agent.example.com/', /must start with https:\/\/ \(or http:\/\/\), not ftp:\/\//],
    ['https://user:pw@agent.example.com/', /must not carry a user name or password/],
  ];
  for (const [url, message] of malformed) {
    it(`refuses ${url} even with private networks allowed`, () => {
      const check = checkAgentUrl(url, { allowPrivate: true, field: 'llm.base_url' });
      expect(check).toMatchObject({ ok: false });
      if (!check.ok) expect(check.message).toMatch(new RegExp(`^llm\\.base_url ${message.source}`));
    });
  }

  it('calls public addresses public', () => {
    expect(blockedKind('93.184.216.34')).toBeUndefined();
    expect(blockedKind('2a00:1450:4001:82b::200e')).toBeUndefined();
    expect(blockedKind('64:ff9b::808:808')).toBeUndefined(); // NAT64 of 8.8.8.8
  });
});

describe('at send time', () => {
  let server: AgentServer;
  afterEach(() => server.close());
  const ok = (res: import('node:http').ServerResponse) => res.setHeader('content-type', 'application/json').end('{"reply":"hi"}');
  const resolver = (addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a loopback URL without sending it anything', async () => {
    server = await agentServer(ok);
    const out = await run(webhook(server), { allowPrivate: false });
    expect(out.failure?.type).toBe('agent_unavailable');
    expect(out.failure?.detail).toMatch(/refused to send: webhook_url points at 127\.0\.0\.1, a loopback address/);
    expect(server.requests).toHaveLength(0);
    expectNothingInternal(out.failure!.message, server);
  });

  it('reaches the same server when private networks are allowed', async () => {
    server = await agentServer(ok);
    expect((await run(webhook(server), { allowPrivate: true })).text).toBe('hi');
  });

  it('refuses a public name that resolves to a loopback address (DNS rebinding)', async () => {
    server = await agentServer(ok);
    const target = { kind: 'webhook' as const, name: 'Ada', url: `http://agent.example.com:${server.port}/hook`, secret: 'whsec_x' };
    const out = await run(target, { allowPrivate: false, resolve: resolver(['127.0.0.1']) });
    expect(out.failure?.type).toBe('agent_unavailable');
    expect(out.failure?.detail).toMatch(/refused to connect: agent\.example\.com resolves to 127\.0\.0\.1, a loopback address/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a name with one public and one inner address', async () => {
    server = await agentServer(ok);
    const target = { kind: 'webhook' as const, name: 'Ada', url: `http://agent.example.com:${server.port}/`, secret: 'whsec_x' };
    const out = await run(target, { allowPrivate: false, resolve: resolver(['93.184.216.34', '::ffff:169.254.169.254']) });
    expect(out.failure?.detail).toMatch(/resolves to ::ffff:169\.254\.169\.254, a link-local address/);
    expect(server.requests).toHaveLength(0);
  });

  it('connects to exactly the address it checked', async () => {
    server = await agentServer(ok);
    const target = { kind: 'webhook' as const, name: 'Ada', url: `http://agent.example.com:${server.port}/`, secret: 'whsec_x' };
    const out = await run(target, { allowPrivate: true, resolve: resolver(['127.0.0.1']) });
    expect(out.text).toBe('hi');
    expect(server.requests[0]!.headers.host).toBe(`agent.example.com:${server.port}`);
  });

  it('says so when a name has no address', async () => {
    server = await agentServer(ok);
    const target = { kind: 'webhook' as const, name: 'Ada', url: 'http://nowhere.example.com/', secret: 'whsec_x' };
    const out = await run(target, { allowPrivate: false, resolve: resolver([]) });
    expect(out.failure?.detail).toMatch(/could not reach nowhere\.example\.com: ENOTFOUND/);
  });
});

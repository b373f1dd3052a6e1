/**
 * The live relay (issue 11, "Measured"): one hub process (`kataven serve`, SQLite, limits off), an agent
 * webhook in this process streaming `text/event-stream`, and readers of the conversation's events
 * stream in this process too, so both ends share one clock.
 *
 * - Relay overhead: the agent writes a delta → the reader has it. One delta at a time (the next is written
 *   once the last arrived), so each figure is a latency, not a queue.
 * - Time to first visible token: the visitor posts → the reader has the first delta, with an agent whose
 *   own time to first token is AGENT_TTFT_MS (from its request's arrival to its first delta).
 * - Idle streams: N concurrent event streams (one conversation each) held open; the hub's RSS per stream,
 *   and handshake throughput while they are open against the same hub with none open (the mean of one
 *   run before and one after).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './lib/load.mjs';
import { onCleanup, startHub } from './lib/proc.mjs';
import { createAccount, handshakeRequest } from './lib/seed.mjs';
import { median, percentile } from './lib/stats.mjs';

const SITE = 'https://relay-bench.example';
const AGENT_TTFT_MS = 200;
const NO_LIMITS = {
  KATAVEN_SESSION_RATE_LIMIT: '0',
  KATAVEN_MESSAGE_RATE_LIMIT_IP: '0',
  KATAVEN_MESSAGE_RATE_LIMIT_KEY: '0',
  KATAVEN_MESSAGE_RATE_LIMIT_CONVERSATION: '0',
  KATAVEN_CONVERSATION_RATE_LIMIT_IP: '0',
  KATAVEN_CONVERSATION_RATE_LIMIT_KEY: '0',
  KATAVEN_ALLOW_PRIVATE_WEBHOOKS: 'true',
  // Thousands of visitors' streams from the bench's one address: the per-address connection cap (200 by
  // default, a hostile client's ceiling) would end them at the 201st socket with a hang-up.
  KATAVEN_MAX_CONNECTIONS_PER_IP: '0',
};

async function json(url, { method = 'GET', token, body, headers = {} } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** An agent that answers every request with an event stream the bench drives. */
async function streamingAgent() {
  const waiting = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const arrived = performance.now();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      const stream = {
        arrived,
        delta: (text) => res.write(`event: delta\ndata: ${JSON.stringify({ text })}\n\n`),
        done: () => res.end('event: done\ndata: {}\n\n'),
      };
      waiting.shift()?.(stream);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
  return { url: `http://127.0.0.1:${server.address().port}/agent`, next: () => new Promise((r) => waiting.push(r)) };
}

/** An events-stream reader on its own socket (node:http: thousands of them stay cheap). */
function openStream(hubUrl, token, conversationId, onEvent) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${hubUrl}/api/v1/widget/conversations/${conversationId}/events`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        if (!onEvent) return;
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          if (event) onEvent(event, JSON.parse(/^data: (.+)$/m.exec(block)[1]), performance.now());
        }
      });
      res.on('error', () => {});
      resolve({ close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function setup(agentUrl) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kataven-bench-relay-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const account = await createAccount({ dataDir });
  const hub = await startHub({ dataDir, env: NO_LIMITS });
  onCleanup(() => hub.stop());
  const admin = { token: account.secret_key };
  const agent = agentUrl ? await json(`${hub.url}/api/v1/agents`, { ...admin, method: 'POST', body: { name: 'Bench', webhook_url: agentUrl } }) : null;
  const key = await json(`${hub.url}/api/v1/widget-keys`, { ...admin, method: 'POST', body: { name: 'bench', domain_allowlist: [new URL(SITE).host], ...(agent ? { agent_id: agent.id } : {}) } });
  const session = async () =>
    (await json(`${hub.url}/api/v1/widget/handshake`, { method: 'POST', headers: { origin: SITE, 'content-type': 'text/plain' }, body: JSON.stringify({ client_key: key.key }) })).session_token;
  const conversation = async (token) => (await json(`${hub.url}/api/v1/widget/conversations`, { method: 'POST', token, body: {} })).id;
  return { hub, key, session, conversation };
}

/** Relay overhead and time to first visible token. */
export async function relayLatency({ deltas, turns, log }) {
  const agent = await streamingAgent();
  const { hub, session, conversation } = await setup(agent.url);
  const token = await session();
  const id = await conversation(token);
  let onDelta = null;
  const reader = await openStream(hub.url, token, id, (event, _data, at) => event === 'message.delta' && onDelta?.(at));
  const nextDelta = () => new Promise((r) => (onDelta = r));
  const post = (text) => json(`${hub.url}/api/v1/widget/conversations/${id}/messages`, { method: 'POST', token, body: { text } });

  // Relay overhead: one long reply, one delta at a time.
  await post('warm up and measure');
  const s = await agent.next();
  const relay = new Float64Array(deltas);
  for (let i = 0; i < deltas; i++) {
    const got = nextDelta();
    const t0 = performance.now();
    s.delta(`w${i} `);
    relay[i] = (await got) - t0;
  }
  s.done();
  await sleep(100);
  relay.sort();
  log(`  relay overhead over ${deltas} deltas: p50 ${percentile(relay, 50).toFixed(2)} ms, p99 ${percentile(relay, 99).toFixed(2)} ms`);

  // Time to first visible token: post → first delta on the reader, the agent taking AGENT_TTFT_MS.
  const visible = [];
  const agentOwn = [];
  for (let i = 0; i < turns; i++) {
    const got = nextDelta();
    const t0 = performance.now();
    const posted = post(`question ${i}`);
    const st = await agent.next();
    await sleep(AGENT_TTFT_MS);
    st.delta('First');
    agentOwn.push(performance.now() - st.arrived);
    visible.push((await got) - t0);
    st.done();
    await posted;
    await sleep(50);
  }
  reader.close();
  log(`  time to first visible token over ${turns} turns: median ${median(visible).toFixed(1)} ms (agent's own ${median(agentOwn).toFixed(1)} ms)`);
  return {
    relayP50: percentile(relay, 50),
    relayP99: percentile(relay, 99),
    deltas,
    ttftVisible: median(visible),
    ttftAgent: median(agentOwn),
    turns,
  };
}

/** N idle streams: memory per stream and handshake throughput while they are open. */
export async function idleStreams({ counts, duration, log }) {
  const { hub, key, session, conversation } = await setup(null);
  const request = handshakeRequest({ HANDSHAKE_PATH: '/api/v1/widget/handshake' }, key.key, SITE);
  const handshakes = () => load(hub.url, [request], { duration });
  await handshakes(); // warm-up
  const before = await handshakes();
  const results = [];
  const open = [];
  const token = await session();
  for (const n of counts) {
    await sleep(500);
    const rssBefore = rssKb(hub.proc.child.pid);
    const t0 = performance.now();
    while (open.length < n) {
      // Ten at a time: fast, without a thundering herd of connects.
      const batch = [];
      for (let i = 0; i < 10 && open.length + batch.length < n; i++) batch.push(conversation(token).then((id) => openStream(hub.url, token, id, null)));
      open.push(...(await Promise.all(batch)));
    }
    const openMs = performance.now() - t0;
    await sleep(1_000);
    const rssAfter = rssKb(hub.proc.child.pid);
    const during = await handshakes();
    const r = {
      streams: n,
      rssMb: rssAfter / 1024,
      perStreamKb: (rssAfter - rssBefore) / (n - (results.at(-1)?.streams ?? 0)),
      openSeconds: openMs / 1000,
      handshakeRps: during.rps,
      handshakeRpsBefore: before.rps,
      handshakeP99: during.p99,
    };
    results.push(r);
    log(`  ${n} open streams: hub RSS ${r.rssMb.toFixed(0)} MB (${r.perStreamKb.toFixed(1)} KB per added stream), handshakes ${Math.round(r.handshakeRps)} req/s (before: ${Math.round(before.rps)})`);
  }
  // The baseline again once they are closed: one run before and one after bracket the load of the moment.
  for (const s of open) s.close();
  await sleep(1_000);
  const after = await handshakes();
  for (const r of results) r.handshakeRpsBaseline = median([before.rps, after.rps]);
  log(`  handshakes with no stream open: ${Math.round(before.rps)} req/s before, ${Math.round(after.rps)} req/s after`);
  return results;
}

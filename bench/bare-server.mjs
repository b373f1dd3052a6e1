/**
 * The baselines: a bare Fastify app in its own process, answering the very requests the handshake gets
 * (POST, text/plain body, Origin header), so that the runs differ only in what the hub does.
 *
 * - `/hello`: the bare "hello" route (5 bytes, Fastify's default headers).
 * - `/handshake`: the same bytes and headers as the hub's handshake, with no work behind them: the body
 *   the hub answered for that Origin (captured by the bench from the running hub, so of the same size),
 *   `content-type`, `access-control-allow-origin`, `vary`, `cache-control` and the request-id header.
 *   What the hub does on top of this route is the price of the handshake itself.
 *
 * Usage: node bench/bare-server.mjs PORT [ANSWERS.json]
 *   ANSWERS.json: { "<origin>": { "body": "…", "headers": { "name": "value", … } }, … }
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const answers = new Map(Object.entries(process.argv[3] ? JSON.parse(readFileSync(process.argv[3], 'utf8')) : {}));

const app = Fastify();
app.get('/hello', async () => 'hello');
app.post('/hello', async () => 'hello');
app.post('/handshake', (request, reply) => {
  const answer = answers.get(request.headers.origin);
  if (!answer) return reply.code(404).send('no captured answer for this Origin');
  reply.headers(answer.headers);
  return reply.send(answer.body);
});
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));

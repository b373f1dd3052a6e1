/**
 * The baseline: a bare Fastify app in its own process, with nothing but a "hello" route, answering the
 * very requests the handshake gets (POST, text/plain body, Origin header) so that the two runs differ
 * only in what the handshake does. Usage: node bench/bare-server.mjs PORT
 */
import Fastify from 'fastify';

const app = Fastify();
app.get('/hello', async () => 'hello');
app.post('/hello', async () => 'hello');
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));

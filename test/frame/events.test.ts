import { afterEach, describe, expect, it, vi } from 'vitest';
import { readEvents, sseParser, type SseEvent } from '../../src/frame/events.js';
import type { ConversationEvent } from '../../src/protocol/conversation-events.js';
import { fakeFetch, hubError, sseStream, waitFor } from './fixture.js';

const PATH = '/api/v1/widget/conversations/c1/events';

function parse(chunks: string[]) {
  const got: SseEvent[] = [];
  const p = sseParser((e) => got.push(e));
  for (const c of chunks) p.push(c);
  return { got, lastId: p.lastId() };
}

describe('sse parser', () => {
  it('reads id, event and data, and skips comments', () => {
    const { got, lastId } = parse([': ok\n\nid: 1\nevent: message.delta\ndata: {"a":1}\n\n: hb\n\n']);
    expect(got).toEqual([{ id: '1', event: 'message.delta', data: '{"a":1}' }]);
    expect(lastId).toBe('1');
  });

  it('takes CRLF, CR and LF line ends alike', () => {
    for (const nl of ['\r\n', '\r', '\n']) {
      expect(parse([`id: 7${nl}event: x${nl}data: y${nl}${nl}`]).got).toEqual([{ id: '7', event: 'x', data: 'y' }]);
    }
  });

  it('joins a CRLF split across chunks once', () => {
    const { got } = parse(['id: 1\r', '\nevent: x\r', '\ndata: a\r', '\n\r', '\nid: 2\r\ndata: b\r\n\r\n']);
    expect(got).toEqual([
      { id: '1', event: 'x', data: 'a' },
      { id: '2', event: 'message', data: 'b' },
    ]);
  });

  it('assembles an event split at every byte', () => {
    const text = 'id: 12.5\nevent: message.delta\ndata: {"text":"héllo"}\n\n';
    const { got } = parse([...text]);
    expect(got).toEqual([{ id: '12.5', event: 'message.delta', data: '{"text":"héllo"}' }]);
  });

  it('joins data lines with LF and drops one space after the colon only', () => {
    expect(parse(['data:  two\ndata:one\ndata\n\n']).got).toEqual([{ id: '', event: 'message', data: ' two\none\n' }]);
  });

  it('dispatches nothing for an event without data, yet keeps its id', () => {
    const { got, lastId } = parse(['id: 5\nevent: x\n\n']);
    expect(got).toEqual([]);
    expect(lastId).toBe('5');
  });

  it('resumes before an event cut off in the middle', () => {
    const { got, lastId } = parse(['id: 1\ndata: a\n\nid: 2\ndata: b\n']);
    expect(got.map((e) => e.id)).toEqual(['1']);
    expect(lastId).toBe('1');
  });

  it('ignores an id holding NUL and a retry field', () => {
    expect(parse(['id: 3\ndata: a\n\nid: 4\0\nretry: 1\ndata: b\n\n']).got.map((e) => e.id)).toEqual(['3', '3']);
  });
});

/** A hub that answers each events request with a fresh stream the test writes to. */
function hub(answer?: (n: number) => Response | undefined) {
  const streams: ReturnType<typeof sseStream>[] = [];
  const ff = fakeFetch({
    ['GET ' + PATH]: (_b, _c, init) => {
      const r = answer?.(streams.length);
      if (r) return (streams.push(sseStream()), r);
      const s = sseStream();
      streams.push(s);
      return s.response(init.signal);
    },
  });
  return { ...ff, streams };
}

function reader(h: ReturnType<typeof hub>, from?: string, auth = { token: 'tok_1' }) {
  const events: ConversationEvent[] = [];
  const onEnd = vi.fn();
  const r = readEvents(h.fetch, auth, PATH, from, { onEvent: (e) => events.push(e), onEnd }, { base: 1, max: 4, random: () => 0 });
  stops.push(r.stop);
  return { events, onEnd, auth, ...r };
}
const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

const delta = (text: string) => ({ message_id: 'a1', text });

describe('events reader', () => {
  it('sends the bearer token and the starting id', async () => {
    const h = hub();
    reader(h, '4');
    await waitFor(() => expect(h.calls).toHaveLength(1));
    expect(h.calls[0]).toMatchObject({ method: 'GET', path: PATH, auth: 'Bearer tok_1', lastEventId: '4' });
  });

  it('hands over parsed events in order', async () => {
    const h = hub();
    const r = reader(h);
    await waitFor(() => expect(h.streams).toHaveLength(1));
    h.streams[0]!.send('message.delta', '5.2', delta('He'));
    h.streams[0]!.raw('id: 5.4\nevent: message.delta\r\ndata: {"message_id":"a1",');
    h.streams[0]!.raw('"text":"y!"}\r\n\r\n: hb\n\n');
    await waitFor(() => expect(r.events).toHaveLength(2));
    expect(r.events).toEqual([
      { event: 'message.delta', id: '5.2', data: delta('He') },
      { event: 'message.delta', id: '5.4', data: delta('y!') },
    ]);
  });

  it('resumes from the last whole event after a drop: nothing lost, nothing twice', async () => {
    const h = hub();
    const r = reader(h, '3');
    await waitFor(() => expect(h.streams).toHaveLength(1));
    h.streams[0]!.send('message.delta', '3.1', delta('a'));
    h.streams[0]!.raw('id: 3.2\nevent: message.delta\ndata: {"message_id":"a1","text":"b"}\n');
    await waitFor(() => expect(r.events).toHaveLength(1));
    h.streams[0]!.fail();
    await waitFor(() => expect(h.calls).toHaveLength(2));
    expect(h.calls[1]!.lastEventId).toBe('3.1');
    // The hub replays from 3.1: "b" once, then on.
    h.streams[1]!.send('message.delta', '3.2', delta('b'));
    h.streams[1]!.send('message.delta', '3.3', delta('c'));
    await waitFor(() => expect(r.events).toHaveLength(3));
    expect(r.events.map((e) => (e.data as { text: string }).text).join('')).toBe('abc');
  });

  it('resumes after the hub ends the stream without a word', async () => {
    const h = hub();
    reader(h);
    await waitFor(() => expect(h.streams).toHaveLength(1));
    h.streams[0]!.send('agent.status', '2', { text: 'Looking' });
    h.streams[0]!.end();
    await waitFor(() => expect(h.calls).toHaveLength(2));
    expect(h.calls[1]!.lastEventId).toBe('2');
  });

  it('backs off, bounded, through 5xx and network errors, then reads on', async () => {
    const h = hub((n) => (n < 3 ? (n == 1 ? hubError(503, 'unavailable') : undefined) : undefined));
    const delays: number[] = [];
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const r = reader(h);
    await waitFor(() => expect(h.streams).toHaveLength(1));
    h.streams[0]!.fail();
    await waitFor(() => expect(h.calls).toHaveLength(3));
    h.streams[2]!.send('agent.status', '1', { text: 'back' });
    await waitFor(() => expect(r.events).toHaveLength(1));
    for (const c of spy.mock.calls) if (typeof c[1] == 'number') delays.push(c[1]);
    spy.mockRestore();
    // base 1, doubled per failure, jittered to half (random 0), at most max 4.
    expect(delays.slice(0, 2)).toEqual([0.5, 1]);
    expect(delays.every((d) => d <= 4)).toBe(true);
  });

  it('stops for good on stream.closed', async () => {
    const h = hub();
    const r = reader(h);
    await waitFor(() => expect(h.streams).toHaveLength(1));
    h.streams[0]!.send('stream.closed', '9', { reason: 'key_disabled' });
    await waitFor(() => expect(r.onEnd).toHaveBeenCalledWith('key_disabled'));
    await new Promise((res) => setTimeout(res, 30));
    expect(h.calls).toHaveLength(1);
    expect(r.events).toEqual([]);
  });

  it('goes on with the refreshed token after session_expired', async () => {
    const h = hub();
    const r = reader(h, '1');
    await waitFor(() => expect(h.streams).toHaveLength(1));
    r.auth.token = 'tok_2';
    h.streams[0]!.send('stream.closed', '6', { reason: 'session_expired' });
    await waitFor(() => expect(h.calls).toHaveLength(2));
    expect(h.calls[1]).toMatchObject({ auth: 'Bearer tok_2', lastEventId: '6' });
    expect(r.onEnd).not.toHaveBeenCalled();
  });

  it('stops on a 401 for the current token', async () => {
    const h = hub(() => hubError(401, 'session_invalid'));
    const r = reader(h);
    await waitFor(() => expect(r.onEnd).toHaveBeenCalledWith('session_invalid'));
    await new Promise((res) => setTimeout(res, 30));
    expect(h.calls).toHaveLength(1);
  });

  it('stops on 404 and says the conversation is gone', async () => {
    const h = hub(() => hubError(404, 'conversation_not_found'));
    const r = reader(h);
    await waitFor(() => expect(r.onEnd).toHaveBeenCalledWith('conversation_not_found'));
  });

  it('starts over without an id the hub refuses (400)', async () => {
    const h = hub((n) => (n == 0 ? hubError(400, 'invalid_request') : undefined));
    reader(h, '99');
    await waitFor(() => expect(h.calls).toHaveLength(2));
    expect(h.calls[0]!.lastEventId).toBe('99');
    expect(h.calls[1]!.lastEventId).toBeUndefined();
  });

  it('skips an event whose data is not JSON and goes on', async () => {
    const h = hub();
    const r = reader(h);
    await waitFor(() => expect(h.streams).toHaveLength(1));
    h.streams[0]!.raw('id: 1\nevent: agent.status\ndata: {oops\n\n');
    h.streams[0]!.send('agent.status', '2', { text: 'ok' });
    await waitFor(() => expect(r.events).toHaveLength(1));
    expect(r.events[0]!.id).toBe('2');
  });

  it('stop() aborts the request and reconnects no more', async () => {
    const h = hub();
    const r = reader(h);
    await waitFor(() => expect(h.streams).toHaveLength(1));
    r.stop();
    await new Promise((res) => setTimeout(res, 30));
    expect(h.calls).toHaveLength(1);
    expect(r.onEnd).not.toHaveBeenCalled();
  });
});

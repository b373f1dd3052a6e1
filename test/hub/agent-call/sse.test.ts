/** The event-stream parser, fed the way networks split text. */
import { describe, expect, it } from 'vitest';
import { SseEventTooLarge, SseParser } from '../../../src/hub/agent-call/sse.js';

const parseAll = (chunks: string[], max = 1000) => {
  const parser = new SseParser(max);
  return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()];
};

describe('SseParser', () => {
  it('reads LF, CRLF and CR line ends alike', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      expect(parseAll([`event: delta${eol}data: {"text":"a"}${eol}${eol}`])).toEqual([{ event: 'delta', data: '{"text":"a"}' }]);
    }
  });

  it('joins a CRLF split across two chunks into one line end', () => {
    expect(parseAll(['event: a\r', '\ndata: 1\r', '\n\r', '\n'])).toEqual([{ event: 'a', data: '1' }]);
  });

  it('gives the same events however the text is split', () => {
    const text = ': hi\n\nevent: delta\ndata: one\ndata: two\n\nevent: done\ndata:\n\n';
    const whole = parseAll([text]);
    expect(whole).toEqual([{ event: 'delta', data: 'one\ntwo' }, { event: 'done', data: '' }]);
    for (let i = 1; i < text.length; i++) expect(parseAll([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(parseAll([...text])).toEqual(whole);
  });

  it('drops one space after the colon, keeps the rest, and names data-only events message', () => {
    expect(parseAll(['data:  two spaces\n\n', 'data:none\n\n'])).toEqual([
      { event: 'message', data: ' two spaces' },
      { event: 'message', data: 'none' },
    ]);
  });

  it('ignores comments, id, retry and unknown fields, and a leading BOM', () => {
    expect(parseAll(['\uFEFF: comment\nid: 7\nretry: 10\nfoo: bar\nevent: done\n\n'])).toEqual([{ event: 'done', data: '' }]);
  });

  it('dispatches a last event that lacks its blank line', () => {
    expect(parseAll(['event: delta\ndata: x\n\nevent: done'])).toEqual([
      { event: 'delta', data: 'x' },
      { event: 'done', data: '' },
    ]);
  });

  it('refuses an event longer than its cap, terminated or not', () => {
    expect(() => parseAll(['data: ' + 'x'.repeat(2000)])).toThrow(SseEventTooLarge);
    expect(() => parseAll(Array.from({ length: 30 }, () => 'data: ' + 'x'.repeat(50) + '\n'))).toThrow(SseEventTooLarge);
    expect(parseAll(Array.from({ length: 30 }, () => 'data: ' + 'x'.repeat(50) + '\n\n'))).toHaveLength(30);
  });
});

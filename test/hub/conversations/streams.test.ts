import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { EventStream, MAX_BUFFERED_BYTES } from '../../../src/hub/conversations/streams.js';
import type { SessionClaims } from '../../../src/hub/session/token.js';

/** A response whose socket never drains (a reader that stopped reading): the edge of the world. */
function stuckResponse() {
  const written: string[] = [];
  const res = {
    writableLength: 0,
    destroyed: false,
    write(chunk: string) {
      written.push(chunk);
      this.writableLength += chunk.length;
      return false;
    },
    end() {},
    destroy() {
      this.destroyed = true;
    },
  };
  return { res, written };
}

const claims: SessionClaims = { kid: 'wk', acc: 'acct', agt: 'agt', org: 'https://a.example', jti: 'j', exp: 0, sst: 0 };

describe('an event stream to a reader that stops reading', () => {
  it('drops the connection once more than the cap waits unsent, and buffers nothing more', () => {
    const { res, written } = stuckResponse();
    const stream = new EventStream(res as unknown as ServerResponse, claims);
    let ended = 0;
    stream.onEnd(() => ended++);
    const text = 'x'.repeat(10_000);
    for (let i = 0; i < 100; i++) stream.send('message.delta', `1.${i}`, { message_id: 'm', text });
    expect(res.destroyed).toBe(true);
    expect(stream.isEnded).toBe(true);
    expect(ended).toBe(1);
    // What was handed to the socket stops right after the cap.
    expect(res.writableLength).toBeLessThan(MAX_BUFFERED_BYTES + 11_000);
    expect(written.length).toBeLessThan(100);
  });
});

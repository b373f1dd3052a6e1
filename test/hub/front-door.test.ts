/** What a person typing the hub's address into a browser meets: pages, not JSON 404s. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe("the hub's front door", () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
  });
  afterAll(() => hub.close());

  it.each([
    ['/', '/console'],
    ['/console/', '/console'],
    ['/docs/', '/docs'],
  ])('sends %s to %s', async (from, to) => {
    const res = await fetch(hub.url + from, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, to]);
    const followed = await fetch(hub.url + from);
    expect([followed.status, followed.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  });

  it('answers the browser’s icon request with no content, so no 404 shows in the console tab', async () => {
    const res = await fetch(`${hub.url}/favicon.ico`);
    expect([res.status, await res.text()]).toEqual([204, '']);
  });

  it('still answers an unknown path with a JSON 404 that says where the routes are', async () => {
    const res = await fetch(`${hub.url}/consol`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toBe('No route for GET /consol; see /api/v1/openapi.json');
  });
});

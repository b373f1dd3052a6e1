/**
 * One load run with autocannon: a fixed number of keep-alive connections for a fixed time, cycling
 * through a list of prebuilt requests. Latencies are recorded here from autocannon's `response` events
 * (fractional milliseconds), since its own histogram rounds them to whole milliseconds.
 */
import autocannon from 'autocannon';
import { percentile } from './stats.mjs';

export const CONNECTIONS = 10;

/**
 * @param {string} url  origin of the server
 * @param {Array<{method: string, path: string, headers: object, body?: string}>} requests
 * @param {{ duration: number, rate?: number, expectStatus?: number | number[], connections?: number }} options
 *   rate: requests per second per connection (a fixed load); without it, as fast as the server answers.
 *   expectStatus: the status (or statuses) every answer must have.
 */
export async function load(url, requests, { duration, rate, expectStatus = 200, connections = CONNECTIONS }) {
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const statuses = new Map();
  const instance = autocannon({ url, connections, duration, requests, timeout: 10, ...(rate ? { connectionRate: rate } : {}) });
  instance.on('response', (_client, status, _bytes, ms) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (n === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[n++] = ms;
  });
  const result = await instance;
  const sorted = latencies.subarray(0, n).sort();
  const expected = [expectStatus].flat();
  const unexpected = [...statuses].filter(([s]) => !expected.includes(s));
  if (result.errors > 0 || result.timeouts > 0 || unexpected.length > 0) {
    const detail = unexpected.map(([s, c]) => `${c}× HTTP ${s}`).join(', ');
    throw new Error(`load on ${url}${requests[0].path}: ${result.errors} errors, ${result.timeouts} timeouts${detail ? ', ' + detail : ''}`);
  }
  return {
    rps: n / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    requests: n,
  };
}

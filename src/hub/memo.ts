/**
 * A pure function of a request's text (a header, a key), remembered by that text: the same visitors send
 * the same few values all day, and computing them was a measurable part of every handshake. Bounded:
 * when full the memo starts over, so a client sending endless distinct values pays the computation itself
 * and costs the hub no memory. Callers that hand out objects freeze them, since every caller gets the same.
 * `compute` must not return undefined (that is what "not remembered" looks like).
 *
 * Texts longer than `MEMO_TEXT_MAX` are computed and not kept: a header may be 16 KB, and a full memo of
 * such would hold 160 MB. Every value worth remembering (an origin, a key, a language list) is shorter.
 */
export const MEMO_TEXT_MAX = 512;

export function memoByText<V>(max: number, compute: (text: string) => V): (text: string) => V {
  const seen = new Map<string, V>();
  return (text) => {
    if (text.length > MEMO_TEXT_MAX) return compute(text);
    let result = seen.get(text);
    if (result === undefined) {
      if (seen.size >= max) seen.clear();
      result = compute(text);
      seen.set(text, result);
    }
    return result;
  };
}

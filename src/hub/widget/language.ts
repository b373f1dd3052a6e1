/**
 * The widget's language for one request: the agent's `locale` when the owner set one, else the best
 * match of the visitor's `Accept-Language` (RFC 9110 §12.5.4: by q-value, then order; a tag matches by
 * its primary subtag, so `pt-BR` and `de-CH` find `pt` and `de`), else English. The frame document
 * and the handshake's iframe title both ask here, so they always agree.
 */
import { DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES, type Language } from '../../protocol/languages.js';
import { memoByText } from '../memo.js';

/** More than a browser sends; a longer header is read only this far. */
const MAX_HEADER = 500;

const known = (tag: string): Language | undefined => LANGUAGES.find((l) => l === tag.split('-')[0]!.toLowerCase());

/** Remembered per header value (memo.ts): each handshake asks, and a browser sends the same header every time. */
const bestOf = memoByText(10_000, (header: string): Language => {
  let best: Language | undefined;
  let bestQ = 0;
  for (const part of header.split(',')) {
    const [tag = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/i.exec(p)).find(Boolean);
    const weight = q ? Number(q[1]) : 1;
    const language = known(tag.trim());
    // Strictly greater: among equal weights the first listed wins.
    if (language && weight > bestQ) [best, bestQ] = [language, weight];
  }
  return best ?? DEFAULT_LANGUAGE;
});

export function chooseLanguage(locale: Language | null, acceptLanguage: string | string[] | undefined): Language {
  if (locale) return locale;
  return bestOf((Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage ?? '').slice(0, MAX_HEADER));
}

export const directionOf = (language: Language): 'rtl' | 'ltr' => (RTL_LANGUAGES.includes(language) ? 'rtl' : 'ltr');

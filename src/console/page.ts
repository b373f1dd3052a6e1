/** What every console page is given, and its shape: it fills `main` for the route's remaining segments. */
import type { Api } from './api.js';

export interface PageContext {
  api: Api;
  main: HTMLElement;
  /** A short message for everyone, screen readers included (a polite live region). */
  notify(text: string): void;
}

export type Page = (ctx: PageContext, params: string[]) => Promise<void>;

/** Puts the page's heading in `main` and focus on it, so a screen reader starts reading the new page there. */
export function heading(ctx: PageContext, text: string): HTMLHeadingElement {
  const h1 = document.createElement('h1');
  h1.textContent = text;
  h1.tabIndex = -1;
  ctx.main.append(h1);
  h1.focus();
  return h1;
}

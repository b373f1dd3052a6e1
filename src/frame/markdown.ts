/**
 * The markdown subset agent messages are written in: paragraphs and line breaks, **bold**, *italic* /
 * _italic_, `code`, ``` fenced blocks, bullet and numbered lists (nested by indentation), links
 * `[text](url)` and bare http(s) URLs; `# headings` show as bold paragraphs.
 *
 * Built with createElement and text nodes only, never by parsing HTML: whatever the text holds
 * (`<script>`, `&lt;`, quotes) ends up as characters on screen. The only attributes it sets are `href`
 * (after `new URL` says http:, https: or mailto:), `target`, `rel` and `tabindex`. It is a pure function
 * of the text and never throws, so a streamed reply can be re-rendered whole on every delta: an unclosed
 * fence is a code block up to the end, an unclosed `**` stays two asterisks until its closer arrives.
 */

/**
 * Inline markup nested deeper than this stays text: hostile input cannot exhaust the stack. Today's rules
 * already bound it (a chain holds each of `*`, `**`, `_`, `__` and a link at most once: an inner closer of
 * the same kind would close the outer one), so this is the guard for when the rules grow.
 */
const MAX_DEPTH = 8;
const MAX_LISTS = 6;
const SCHEMES = ['https:', 'http:', 'mailto:'];
// Stryker disable next-line Regex: `.*` stops at the end of a line anyway, and the text is trimmed, so neither `$` nor one space of `[ \t]+` changes a tree
const ITEM = /^( *)([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const FENCE = /^( *)(`{3,})[^`]*$/;
const HEADING = /^ *#{1,6}(?:[ \t]|$)/;
const PUNCT = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/;
const AUTOLINK = /https?:\/\/[^\s<>]+/y;
/** Where inline markup may start (as in `inline`); the text between is copied in one slice. */
const SPECIAL = /[\\`*_[h]/g;

/** The normalised URL if it is http:, https: or mailto:, else null (relative, javascript:, data:, …). */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return SCHEMES.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

interface List {
  /** Indentation of its items' markers. */
  ind: number;
  ol: boolean;
  list: Element;
  li: Element;
}

export function renderMarkdown(doc: Document, text: string): DocumentFragment {
  const root = doc.createDocumentFragment();
  const el = (tag: string, parent: Node) => parent.appendChild(doc.createElement(tag));

  /** Text with its line breaks as <br>: the bubble's `pre-wrap` then has no newline to show twice. */
  const put = (s: string, to: Node) =>
    s.split('\n').forEach((part, n) => {
      if (n) el('br', to);
      if (part) to.appendChild(doc.createTextNode(part));
    });

  const anchor = (href: string, to: Node) => {
    const a = el('a', to) as HTMLAnchorElement;
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  };

  function inline(s: string, to: Node, depth: number, inLink: boolean) {
    // Emphasis delimiters already known to have no closer up to the end of `s`: searching again from a
    // later opener would make a run of unclosed `*` or `_` quadratic (backticks need no such list: see there).
    const fail: Record<string, boolean> = {};
    const pairs = matchPairs(s);
    let buf = '';
    const flush = () => {
      put(buf, to);
      buf = '';
    };
    for (let i = 0; i < s.length; ) {
      const c = s[i]!;
      // Stryker disable next-line ConditionalExpression,BlockStatement: the fast path; one character at a time below builds the same tree
      if (!'\\`*_[h'.includes(c)) {
        SPECIAL.lastIndex = i;
        const next = SPECIAL.exec(s)?.index ?? s.length;
        buf += s.slice(i, next);
        i = next;
        continue;
      }
      if (c == '\\' && PUNCT.test(s[i + 1] ?? '')) {
        buf += s[i + 1];
        i += 2;
        continue;
      }
      if (c == '`') {
        // No cache of failed searches here, unlike emphasis: an opener without a closer means no later run
        // of exactly n backticks, so no later opener of n exists to search again.
        const n = runAt(s, i);
        const j = closeTicks(s, i + n, n);
        if (j == -1) {
          buf += s.slice(i, i + n);
          i += n;
          continue;
        }
        flush();
        let code = s.slice(i + n, j).replace(/\n/g, ' ');
        // CommonMark: one space each side lets a code span start or end with a backtick.
        if (code[0] == ' ' && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
        el('code', to).textContent = code;
        i = j + n;
        continue;
      }
      // Stryker disable next-line EqualityOperator: depth never reaches MAX_DEPTH (see there)
      if ((c == '*' || c == '_') && depth < MAX_DEPTH) {
        const n = runAt(s, i);
        const w = n > 1 ? 2 : 1;
        const d = c.repeat(w);
        const opens = s[i + n] && !SPACE.test(s[i + n]!) && !(c == '_' && WORD.test(s[i - 1] ?? ''));
        const j = opens && !fail[d] ? closeEmphasis(s, i + n, c, w) : -1;
        if (j == -1) {
          if (opens) fail[d] = true;
          buf += s.slice(i, i + n);
          i += n;
          continue;
        }
        flush();
        inline(s.slice(i + w, j), el(w == 2 ? 'strong' : 'em', to), depth + 1, inLink);
        i = j + w;
        continue;
      }
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only a `[` is in `pairs` of the characters that get here; depth never reaches MAX_DEPTH
      if (c == '[' && !inLink && depth < MAX_DEPTH) {
        const end = pairs.get(i);
        // Stryker disable next-line ConditionalExpression,LogicalOperator,UnaryOperator: `end` undefined reads s[NaN]; a destination counts only past end + 2
        const dest = end != null && s[end + 1] == '(' ? pairs.get(end + 1) ?? -1 : -1;
        // Stryker disable next-line EqualityOperator,ArithmeticOperator: "[a]()" has no URL, and falling through copies the same text
        if (dest > end! + 2) {
          const href = safeHref(s.slice(end! + 2, dest));
          if (href) {
            flush();
            const label = s.slice(i + 1, end);
            // Stryker disable next-line ArithmeticOperator: depth never reaches MAX_DEPTH
            if (label.trim()) inline(label, anchor(href, to), depth + 1, true);
            else anchor(href, to).textContent = href;
          } else buf += s.slice(i, dest + 1); // not a scheme we link: the reader sees the source
          i = dest + 1;
          continue;
        }
      }
      // Stryker disable next-line ConditionalExpression: the sticky AUTOLINK matches only at an "h"
      if (c == 'h' && !inLink && !WORD.test(s[i - 1] ?? '')) {
        AUTOLINK.lastIndex = i;
        const m = AUTOLINK.exec(s);
        const url = m && trimUrl(m[0]);
        const href = url && safeHref(url);
        if (url && href) {
          flush();
          anchor(href, to).textContent = url;
          i += url.length;
          continue;
        }
      }
      buf += c;
      i++;
    }
    flush();
  }

  const lines = text.split(/\r\n?|\n/);
  const lists: List[] = [];
  const top = () => lists[lists.length - 1];
  /** The text block being collected (a paragraph or a list item), parsed when it ends. `as`: it is
   * also assigned inside `end`, which TypeScript's narrowing does not follow. */
  let block = null as { to: Node; lines: string[] } | null;
  /** A blank line came since the last text. */
  // Stryker disable next-line BooleanLiteral: before the first line there is neither a block nor a list for it to end
  let gap = false;
  const end = () => {
    if (block) inline(block.lines.join('\n'), block.to, 0, false);
    block = null;
  };

  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const ind = line.search(/\S/);
    if (ind < 0) {
      gap = true;
      continue;
    }
    const fence = FENCE.exec(line);
    const item = fence ? null : ITEM.exec(line);
    // No line is both: a heading starts with "#", an item with its marker, a fence with backticks.
    const heading = HEADING.exec(line);
    // A numbered line inside a paragraph ("… in\n2024. Then …") starts a list only at 1 (CommonMark).
    const interrupts = item && (gap || !block || lists.length || !/\d/.test(item[2]!) || parseInt(item[2]!) == 1);

    if (fence) {
      end();
      // Indented past the item's marker, the block belongs to the item ("1. Run:\n   ```").
      while (lists.length && fence[1]!.length <= top()!.ind) lists.pop();
      const pre = el('pre', top()?.li ?? root) as HTMLElement;
      // It may scroll sideways, and a scroller must be reachable by keyboard (WCAG 2.1.1). Whether it
      // overflows is only known after layout, and changes with the panel's width: always focusable.
      pre.tabIndex = 0;
      const code: string[] = [];
      for (n++; n < lines.length; n++) {
        const l = lines[n]!;
        if (/^ *`+ *$/.test(l) && l.trim().length >= fence[2]!.length) break;
        let k = 0;
        while (k < fence[1]!.length && l[k] == ' ') k++;
        code.push(l.slice(k));
      }
      el('code', pre).textContent = code.join('\n');
    } else if (item && interrupts) {
      end();
      const i = item[1]!.length;
      const ol = /\d/.test(item[2]!);
      while (lists.length && i < top()!.ind) lists.pop();
      let t = top();
      let parent: Node = root;
      if (t && i > t.ind + 1 && lists.length < MAX_LISTS) parent = t.li;
      else if (t && t.ol != ol) {
        lists.pop();
        parent = top()?.li ?? root;
      } else if (t) parent = t.list;
      if (parent != t?.list) {
        const list = el(ol ? 'ol' : 'ul', parent);
        lists.push((t = { ind: i, ol, list, li: list }));
      }
      t!.li = el('li', t!.list);
      block = { to: t!.li, lines: [item[3]!.trim()] };
    } else if (heading) {
      end();
      lists.length = 0;
      inline(line.slice(heading[0].length).trim(), el('strong', el('p', root)), 0, false);
    } else {
      // After a blank line, text stays in an item only when indented past its marker.
      if (gap) while (lists.length && ind <= top()!.ind) lists.pop();
      const t = top();
      if (t && block?.to != t.li) {
        end();
        block = { to: t.li, lines: [] };
      }
      if (block && (!gap || t)) {
        // A blank line inside an item: an empty line, as two breaks.
        if (gap && block.lines.length) block.lines.push('');
        block.lines.push(line.trim());
      } else {
        end();
        block = { to: el('p', root), lines: [line.trim()] };
      }
    }
    gap = false;
  }
  end();
  return root;
}

/** Length of the run of s[i] starting at i. */
function runAt(s: string, i: number): number {
  let j = i;
  while (s[j] == s[i]) j++;
  return j - i;
}

/** Start of the next run of exactly n backticks from `from`, or -1. */
function closeTicks(s: string, from: number, n: number): number {
  for (let j = s.indexOf('`', from); j != -1; j = s.indexOf('`', j + runAt(s, j))) {
    if (runAt(s, j) == n) return j;
  }
  return -1;
}

/**
 * Where the closer of a `w`-wide emphasis of `c` starts (-1 if none): a run of `c` after a non-space;
 * for `_`, not followed by a letter (snake_case stays text). A lone `*` skips `**` runs, so
 * `*a **b** c*` nests; a wider run closes with its last w characters (`***x***`).
 */
function closeEmphasis(s: string, from: number, c: string, w: number): number {
  // Stryker disable next-line EqualityOperator: at s.length nothing matches and the loop ends one step later
  for (let j = from; j < s.length; ) {
    if (s[j] == '\\') j += 2;
    else if (s[j] == '`') {
      const n = runAt(s, j);
      const k = closeTicks(s, j + n, n);
      j = k == -1 ? j + n : k + n;
    } else if (s[j] == c) {
      const n = runAt(s, j);
      const ok = !SPACE.test(s[j - 1]!) && !(c == '_' && WORD.test(s[j + n] ?? '')) && (w == 2 ? n > 1 : n != 2);
      if (ok) return j + n - w;
      j += n;
    } else j++;
  }
  return -1;
}

/**
 * Each `[` mapped to its matching `]`, and each `(` to its `)` within a run without spaces or control
 * characters (a link destination cannot hold one): one pass, where scanning for the closer from every
 * opener would make `[a](` repeated quadratic. Escaped brackets and parentheses are ignored.
 */
function matchPairs(s: string): Map<number, number> {
  // Stryker disable ArrayDeclaration,EqualityOperator: a stray opener in a stack only pairs with a closer nothing looks up; s[s.length] is no bracket
  const brackets: number[] = [];
  let parens: number[] = [];
  const match = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c == '\\') i++;
    else if (c == '[') brackets.push(i);
    else if (c == ']' && brackets.length) match.set(brackets.pop()!, i);
    else if (c == '(') parens.push(i);
    else if (c == ')' && parens.length) match.set(parens.pop()!, i);
    else if (c! <= ' ') parens = [];
  }
  // Stryker restore ArrayDeclaration,EqualityOperator
  return match;
}

/** A bare URL without the punctuation that ends its sentence: "(see https://x.org/a_(b))." keeps "(b)". */
function trimUrl(u: string): string {
  let unclosed = 0; // ")" without a "(" before the end
  for (const ch of u) unclosed += ch == ')' ? 1 : ch == '(' ? -1 : 0;
  let end = u.length;
  for (let ch; (ch = u[end - 1]); end--) {
    if (ch == ')' && unclosed > 0) unclosed--;
    else if (!`.,:;!?'"*_~]`.includes(ch)) break;
  }
  return u.slice(0, end);
}

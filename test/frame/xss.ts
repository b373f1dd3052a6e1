/**
 * The markdown renderer's XSS corpus and the one rule for what it may make: the elements and attributes
 * markdown.ts means to create, nothing else. Used on happy-dom trees (test/frame/markdown.test.ts) and on
 * trees read out of the real frame in Chromium (test/e2e/conversation.test.ts), so both hold the same line.
 */

/** `javascript:` links, HTML, entity tricks, nested brackets, lookalike and invisible characters. */
export const XSS_CORPUS = [
  '[a](javascript:alert(1))',
  '[a](JAVASCRIPT:alert(1))',
  '[a](java\tscript:alert(1))',
  '[a](java\nscript:alert(1))',
  '[a]( javascript:alert(1))',
  '[a](javascript&colon;alert(1))',
  '[a](&#106;avascript:alert(1))',
  '[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[a](vbscript:msgbox(1))',
  '[a](file:///etc/passwd)',
  '[a](//evil.test)',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '<svg><script>alert(1)</script></svg>',
  '<a href="javascript:alert(1)">x</a>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;img src=x onerror=alert(1)&#62;',
  '[a](javascript:alert(1))](x)',
  '[[a](javascript:alert(1))](https://x.test)',
  '[a](https://x.test)](javascript:alert(1))',
  '[a](https://x.test/"onmouseover="alert(1))',
  "[a](https://x.test/'onclick='alert(1)')",
  '[a](https://x.test "title" onclick="alert(1)")',
  '[a](<javascript:alert(1)>)',
  '[<img src=x onerror=alert(1)>](https://x.test)',
  'https://x.test/"><script>alert(1)</script>',
  'https://x.test/<img/src=x/onerror=alert(1)>',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '**<script>alert(1)</script>**',
  '[ｊａｖａｓｃｒｉｐｔ:alert(1)](ｊａｖａｓｃｒｉｐｔ:alert(1))',
  '[a](java\u200bscript:alert(1))',
  '[a](\u202ejavascript:alert(1))',
  '[\u202egpj.exe](https://x.test/exe.jpg)',
  '[a](https://x.test\u0000javascript:alert(1))',
  'javascript:alert(1) data:text/html,x',
  '\\<script\\>alert(1)\\</script\\>',
];

/** What intruders() reads of a node: a DOM node, or the plain copy of one a browser test sends back. */
export interface MarkupNode {
  nodeType: number;
  tagName?: string;
  attributes?: Iterable<{ name: string; value: string }>;
  childNodes: Iterable<MarkupNode>;
}

const TAGS = new Set(['P', 'BR', 'STRONG', 'EM', 'CODE', 'PRE', 'UL', 'OL', 'LI', 'A']);
const ATTRS: Record<string, (v: string, tag: string) => boolean> = {
  href: (v, tag) => tag == 'A' && /^(https?:\/\/|mailto:)/.test(v) && ['https:', 'http:', 'mailto:'].includes(new URL(v).protocol),
  target: (v) => v == '_blank',
  rel: (v) => v == 'noopener noreferrer',
  dir: (v) => v == 'auto',
  tabindex: (v, tag) => tag == 'PRE' && v == '0',
};

/** Every node under `node` the renderer did not mean to make, described; [] when the tree is clean. */
export function intruders(node: MarkupNode): string[] {
  const bad: string[] = [];
  for (const n of node.childNodes) {
    if (n.nodeType == 3) continue;
    if (n.nodeType != 1) {
      bad.push('node type ' + n.nodeType);
      continue;
    }
    const tag = n.tagName!.toUpperCase();
    const attrs = [...(n.attributes ?? [])];
    if (!TAGS.has(tag)) bad.push('<' + tag.toLowerCase() + '>');
    for (const a of attrs) if (!ATTRS[a.name]?.(a.value, tag)) bad.push(`${tag.toLowerCase()}[${a.name}="${a.value}"]`);
    const has = (name: string) => attrs.some((a) => a.name == name);
    if (tag == 'A' && !(has('href') && has('target') && has('rel'))) bad.push('<a> without href, target or rel');
    bad.push(...intruders(n));
  }
  return bad;
}

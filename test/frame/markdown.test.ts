import fc from 'fast-check';
import { Window } from 'happy-dom';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { renderMarkdown, safeHref } from '../../src/frame/markdown.js';
import { cleanup, json, mountFrame, msg, waitFor } from './fixture.js';
import { intruders, XSS_CORPUS } from './xss.js';

const win = new Window({ url: 'https://hub.test/widget/v1/frame' });
const doc = win.document as unknown as Document;
afterAll(() => win.happyDOM.close());
afterEach(cleanup);

const render = (text: string) => renderMarkdown(doc, text);

/** The tree as compact HTML: text escaped, `a` with its href only, `pre` without its tabindex. */
function html(node: Node): string {
  let out = '';
  for (const n of node.childNodes) {
    if (n.nodeType == 3) out += n.textContent!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    else {
      const e = n as Element;
      const tag = e.tagName.toLowerCase();
      const attr = tag == 'a' ? ` href="${e.getAttribute('href')}"` : '';
      out += tag == 'br' ? '<br>' : `<${tag}${attr}>${html(e)}</${tag}>`;
    }
  }
  return out;
}
const md = (text: string) => html(render(text));

describe('renders the subset', () => {
  const cases: Array<[claim: string, input: string, expected: string]> = [
    ['wraps text in a paragraph', 'hello', '<p>hello</p>'],
    ['renders nothing for empty text', '', ''],
    ['renders nothing for blank lines', '\n \n\t\n', ''],
    ['turns a newline into a line break', 'one\ntwo', '<p>one<br>two</p>'],
    ['splits paragraphs on a blank line', 'one\n\n\ntwo', '<p>one</p><p>two</p>'],
    ['reads \\r\\n and \\r as newlines', 'a\r\nb\rc', '<p>a<br>b<br>c</p>'],
    ['trims the lines of a paragraph', '  a  \n   b', '<p>a<br>b</p>'],
    ['bolds **text**', 'a **b** c', '<p>a <strong>b</strong> c</p>'],
    ['bolds __text__', '__b__', '<p><strong>b</strong></p>'],
    ['italicises *text* and _text_', '*a* and _b_', '<p><em>a</em> and <em>b</em></p>'],
    ['nests bold in italic', '*a **b** c*', '<p><em>a <strong>b</strong> c</em></p>'],
    ['nests italic in bold', '**a *b***', '<p><strong>a <em>b</em></strong></p>'],
    ['reads ***x*** as bold italic', '***x***', '<p><strong><em>x</em></strong></p>'],
    ['lets bold span a line break', '**a\nb**', '<p><strong>a<br>b</strong></p>'],
    ['leaves snake_case alone', 'snake_case_name and __init', '<p>snake_case_name and __init</p>'],
    ['leaves a spaced asterisk alone', '2 * 3 * 4', '<p>2 * 3 * 4</p>'],
    ['leaves an unclosed ** as text', 'a **b', '<p>a **b</p>'],
    ['honours backslash escapes', '\\*a\\* \\`b\\` \\[c](https://x.test)', '<p>*a* `b` [c](<a href="https://x.test/">https://x.test</a>)</p>'],
    ['makes inline code', 'run `npm i`', '<p>run <code>npm i</code></p>'],
    ['keeps markup in code as text', '`**a** <b>`', '<p><code>**a** &lt;b&gt;</code></p>'],
    ['matches a double-backtick span', '``a ` b``', '<p><code>a ` b</code></p>'],
    ['strips one space around code that starts with a backtick', '`` `x` ``', '<p><code>`x`</code></p>'],
    ['leaves an unclosed backtick as text', 'a `b', '<p>a `b</p>'],
    ['makes a fenced code block', 'see:\n```js\nconst a = 1;\n\n  b();\n```\nafter', '<p>see:</p><pre><code>const a = 1;\n\n  b();</code></pre><p>after</p>'],
    ['runs an unclosed fence to the end', '```\ncode **x**', '<pre><code>code **x**</code></pre>'],
    ['needs a closing fence as long as the opening', '````\na\n```\n````', '<pre><code>a\n```</code></pre>'],
    ['reads ```x``` on one line as inline code', '```x```', '<p><code>x</code></p>'],
    ['makes a bullet list', '- a\n* b\n+ c', '<ul><li>a</li><li>b</li><li>c</li></ul>'],
    ['makes a numbered list', '1. a\n2) b', '<ol><li>a</li><li>b</li></ol>'],
    ['keeps a list with blank lines between items as one list', '1. a\n\n2. b', '<ol><li>a</li><li>b</li></ol>'],
    ['starts a new list when the marker kind changes', '- a\n1. b', '<ul><li>a</li></ul><ol><li>b</li></ol>'],
    ['nests a list by indentation', '- a\n  - b\n    1. c\n- d', '<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>'],
    ['continues an item on the next line', '- a\nb\n  c', '<ul><li>a<br>b<br>c</li></ul>'],
    ['keeps indented text after a blank line in the item', '- a\n\n  b', '<ul><li>a<br><br>b</li></ul>'],
    ['ends a list at unindented text after a blank line', '- a\n\nb', '<ul><li>a</li></ul><p>b</p>'],
    ['renders inline markup in items', '- **a** `b`', '<ul><li><strong>a</strong> <code>b</code></li></ul>'],
    ['puts an indented fence into its item', '1. Run:\n   ```\n   npm i\n   ```\n2. Go', '<ol><li>Run:<pre><code>npm i</code></pre></li><li>Go</li></ol>'],
    ['starts no list at a number inside a paragraph', 'in\n2024. Then', '<p>in<br>2024. Then</p>'],
    ['starts a list at 1. inside a paragraph', 'steps:\n1. a', '<p>steps:</p><ol><li>a</li></ol>'],
    ['needs a space after a list marker', '-a\n1.5', '<p>-a<br>1.5</p>'],
    ['shows a heading as a bold paragraph', '## Title *x*\ntext', '<p><strong>Title <em>x</em></strong></p><p>text</p>'],
    ['leaves a #hashtag alone', '#tag', '<p>#tag</p>'],
    ['makes a link', '[docs](https://x.test/a?b=1#c)', '<p><a href="https://x.test/a?b=1#c">docs</a></p>'],
    ['renders markup in link text', '[**b** `c`](http://x.test)', '<p><a href="http://x.test/"><strong>b</strong> <code>c</code></a></p>'],
    ['makes a mailto link', '[mail](mailto:a@x.test)', '<p><a href="mailto:a@x.test">mail</a></p>'],
    ['keeps balanced parentheses in a link', '[w](https://x.test/a_(b))', '<p><a href="https://x.test/a_(b)">w</a></p>'],
    ['puts a homograph host into href as punycode', '[a](https://аpple.test)', '<p><a href="https://xn--pple-43d.test/">a</a></p>'],
    ['shows the URL of a link without text', '[](https://x.test)', '<p><a href="https://x.test/">https://x.test/</a></p>'],
    ['makes no link of a destination with a space', '[a](https://x.test/a b)', '<p>[a](<a href="https://x.test/a">https://x.test/a</a> b)</p>'],
    ['leaves a relative link as text', '[a](/path)', '<p>[a](/path)</p>'],
    ['leaves brackets without a destination as text', '[a] and [b]()', '<p>[a] and [b]()</p>'],
    ['autolinks a bare URL', 'see https://x.test/a.', '<p>see <a href="https://x.test/a">https://x.test/a</a>.</p>'],
    ['autolinks inside parentheses', '(https://x.test/a_(b))', '<p>(<a href="https://x.test/a_(b)">https://x.test/a_(b)</a>)</p>'],
    ['autolinks inside bold', '**https://x.test**', '<p><strong><a href="https://x.test/">https://x.test</a></strong></p>'],
    ['makes no autolink inside a link', '[https://a.test](https://b.test)', '<p><a href="https://b.test/">https://a.test</a></p>'],
    ['makes no autolink inside a word', 'xhttps://x.test', '<p>xhttps://x.test</p>'],
    ['makes no autolink of a bare scheme', 'https:// and http://', '<p>https:// and http://</p>'],
    // Each rule below was a surviving mutant: change the rule and its case fails.
    ['keeps a backslash at the very end', 'a\\', '<p>a\\</p>'],
    ['reads a newline in a code span as a space', '`a\nb`', '<p><code>a b</code></p>'],
    ['strips no space from a code span spaced on one side only', '`a ` and ` b`', '<p><code>a </code> and <code> b</code></p>'],
    ['strips nothing from a code span of spaces only', '`  `', '<p><code>  </code></p>'],
    ['opens no emphasis before a space', 'a * b*', '<p>a * b*</p>'],
    ['still opens emphasis after an asterisk that did not', '2 * 3 is *six*', '<p>2 * 3 is <em>six</em></p>'],
    ['opens no _ emphasis inside a word', 'x_y z_', '<p>x_y z_</p>'],
    ['opens * emphasis inside a word', 'a*b*c', '<p>a<em>b</em>c</p>'],
    ['closes * emphasis before a letter', '*a*b', '<p><em>a</em>b</p>'],
    ['closes no _ emphasis before a letter', '_a_b_', '<p><em>a_b</em></p>'],
    ['closes bold only at two asterisks', '**a*b**', '<p><strong>a*b</strong></p>'],
    ['closes no emphasis at an escaped asterisk', '*a\\*b*', '<p><em>a*b</em></p>'],
    ['closes no emphasis inside a code span', '*a `b*` c*', '<p><em>a <code>b*</code> c</em></p>'],
    ['makes no link inside a link', '[a [b](https://y.test)](https://x.test)', '<p><a href="https://x.test/">a [b](https://y.test)</a></p>'],
    ['links only brackets followed by a destination', '[a][b](https://x.test)', '<p>[a]<a href="https://x.test/">b</a></p>'],
    ['ends no link at an escaped bracket', '[a\\](https://x.test)', '<p>[a](<a href="https://x.test/">https://x.test</a>)</p>'],
    ['shows the URL of a link whose text is blank', '[ ](https://x.test)', '<p><a href="https://x.test/">https://x.test/</a></p>'],
    ['autolinks an http URL', 'see http://x.test', '<p>see <a href="http://x.test/">http://x.test</a></p>'],
    ['keeps a closing parenthesis out of a URL before a full stop', '(https://x.test/a).', '<p>(<a href="https://x.test/a">https://x.test/a</a>).</p>'],
    ['makes a multi-digit numbered list', '10. ten\n11. eleven', '<ol><li>ten</li><li>eleven</li></ol>'],
    ['starts a list at any number after a blank line', 'a\n\n2. b', '<p>a</p><ol><li>b</li></ol>'],
    ['trims an item', '- a  \n- b', '<ul><li>a</li><li>b</li></ul>'],
    ['keeps an item indented by one space in the same list', '- a\n - b', '<ul><li>a</li><li>b</li></ul>'],
    ['goes back to the outer list after a change of marker kind', '- a\n1. b\n- c', '<ul><li>a</li></ul><ol><li>b</li></ol><ul><li>c</li></ul>'],
    ['keeps a list going after a line that continues an item', '- a\nb\n- c', '<ul><li>a<br>b</li><li>c</li></ul>'],
    ['ends a list at a fence not indented past the marker', '- a\n```\ncode\n```', '<ul><li>a</li></ul><pre><code>code</code></pre>'],
    ['continues an item with text after its code block', '1. Run:\n   ```\n   x\n   ```\n   done', '<ol><li>Run:<pre><code>x</code></pre>done</li></ol>'],
    ['closes a fence only at a line of backticks alone', '```\nx ```\n``` x\n```', '<pre><code>x ```\n``` x</code></pre>'],
    ['closes no fence with a shorter indented one', '````\n  ```\n````', '<pre><code>  ```</code></pre>'],
    ['strips from code lines only the spaces the fence was indented by', '  ```\nabc\n   d\n  ```', '<pre><code>abc\n d</code></pre>'],
    ['trims a heading', '#  Title  ', '<p><strong>Title</strong></p>'],
    ['autolinks in a heading', '# Docs: https://x.test', '<p><strong>Docs: <a href="https://x.test/">https://x.test</a></strong></p>'],
    ['reads a lone # as an empty heading (CommonMark)', '#\nnext', '<p><strong></strong></p><p>next</p>'],
    ['makes no heading of a # inside a line', 'a # b', '<p>a # b</p>'],
  ];
  it.each(cases)('%s', (_claim, input, expected) => expect(md(input)).toBe(expected));

  it('opens links in a new tab without opener or referrer', () => {
    const links = render('[a](https://x.test) https://y.test [m](mailto:z@x.test)').querySelectorAll('a');
    expect(links).toHaveLength(3);
    for (const a of links) expect([a.getAttribute('target'), a.getAttribute('rel')]).toEqual(['_blank', 'noopener noreferrer']);
  });

  it('makes no empty text node', () => {
    const empty: string[] = [];
    const walk = (n: Node) => n.childNodes.forEach((c) => (c.nodeType == 3 ? c.textContent || empty.push(c.parentNode!.nodeName) : walk(c)));
    walk(render('**a** *b* `c` [d](https://x.test) https://y.test\n- **e**\n# **f**'));
    expect(empty).toEqual([]);
  });

  it('nests lists six deep at most, deeper items joining the sixth', () => {
    const text = Array.from({ length: 8 }, (_, n) => ' '.repeat(2 * n) + '- ' + n).join('\n');
    const depth = (n: Element): number => Math.max(0, ...[...n.children].map((c) => depth(c) + (c.tagName == 'UL' ? 1 : 0)));
    const root = doc.createElement('div');
    root.append(render(text));
    expect(depth(root)).toBe(6);
    expect(root.querySelectorAll('li')).toHaveLength(8);
  });

  it('makes code blocks keyboard-focusable', () => {
    expect(render('```\nx\n```').querySelector('pre')!.getAttribute('tabindex')).toBe('0');
  });

  it('leaves no newline outside code blocks for pre-wrap to show twice', () => {
    const texts: string[] = [];
    const walk = (n: Node) => n.childNodes.forEach((c) => (c.nodeType == 3 ? texts.push(c.textContent!) : c.nodeName != 'PRE' && walk(c)));
    walk(render('a\nb\n\nc `d\ne`\n- f\n  g\n\n  h\n1. **i\nj**'));
    expect(texts.length).toBeGreaterThan(5);
    expect(texts.filter((t) => t.includes('\n'))).toEqual([]);
  });
});

describe('safeHref', () => {
  it('normalises http, https and mailto URLs', () => {
    expect(['https://X.test', 'http://x.test/a b', 'mailto:a@x.test'].map(safeHref)).toEqual(['https://x.test/', 'http://x.test/a%20b', 'mailto:a@x.test']);
  });

  it('refuses every other scheme and relative URLs', () => {
    for (const u of ['javascript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', 'ftp://x.test', 'tel:+1', '/a', '//x.test', 'x.test', ''])
      expect(safeHref(u), u).toBeNull();
  });
});

describe('XSS corpus: no element or attribute it did not mean to make', () => {
  const deep = [
    '*'.repeat(5000),
    '['.repeat(5000) + ']'.repeat(5000),
    '[a]('.repeat(2000),
    '**a '.repeat(2000),
    '`'.repeat(3000) + 'x',
    '*a _b '.repeat(1000),
    '*'.repeat(200) + 'x' + '*'.repeat(200),
    Array.from({ length: 300 }, (_, i) => ' '.repeat(i * 2) + '- x').join('\n'),
    Array.from({ length: 300 }, (_, i) => ' '.repeat(i) + (i % 2 ? '1. ' : '- ') + '[a](javascript:x)').join('\n'),
    '> '.repeat(3000) + 'x',
    'https://x.test/' + ')'.repeat(4000),
    'https://x.test/' + 'a'.repeat(200_000),
    'x'.repeat(200_000),
  ];

  it.each(XSS_CORPUS)('%s', (input) => {
    const tree = render(input);
    expect(intruders(tree)).toEqual([]);
    expect(tree.querySelectorAll('a:not([href^="https://x.test/"])')).toHaveLength(0);
  });

  it.each(deep.map((d) => [d.slice(0, 40) + '… (' + d.length + ' chars)', d]))('survives %s', (_name, input) => {
    expect(intruders(render(input))).toEqual([]);
  });

  it('makes no link out of the nested-bracket trick', () => {
    expect(md('[a](javascript:alert(1))](x)')).toBe('<p>[a](javascript:alert(1))](x)</p>');
  });

  it('shows HTML as the characters it is made of', () => {
    expect(render('<img src=x onerror=alert(1)> &lt;b&gt;').textContent).toBe('<img src=x onerror=alert(1)> &lt;b&gt;');
  });

  it('caps nesting instead of recursing without end', () => {
    const tree = render('*a '.repeat(50) + 'x' + '*'.repeat(50));
    expect(tree.querySelectorAll('em').length).toBeGreaterThan(0);
    expect(tree.querySelectorAll('em').length).toBeLessThan(10);
  });
});

describe('properties', () => {
  const markdownish = fc
    .array(
      fc.constantFrom('*', '**', '_', '`', '```', '[', ']', '(', ')', '](', '\n', '\n\n', '- ', '1. ', '  ', '# ', '\\', 'a', 'b c', 'https://x.test/', 'javascript:', 'mailto:a@x.test', '<script>', '&lt;', '"', '\u202e'),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(''));

  it('never throws and never makes a disallowed node for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
      expect(intruders(render(s))).toEqual([]);
    }), { numRuns: 300 });
  });

  it('never throws and never makes a disallowed node for markdown-like strings', () => {
    fc.assert(fc.property(markdownish, (s) => {
      expect(intruders(render(s))).toEqual([]);
    }), { numRuns: 1000 });
  });

  it('renders every streamed prefix, and the last one as a one-shot render does', () => {
    fc.assert(
      fc.property(markdownish, (s) => {
        let last = '';
        for (let i = 0; i <= s.length; i++) {
          const tree = render(s.slice(0, i));
          expect(intruders(tree)).toEqual([]);
          last = html(tree);
        }
        expect(last).toBe(md(s));
      }),
      { numRuns: 100 },
    );
  });
});

describe('streaming', () => {
  const reply = [
    '## Setup',
    'Install it with **npm** and read [the docs](https://docs.x.test/start).',
    '',
    '1. Run:',
    '   ```sh',
    '   npm i kataven',
    '   ```',
    '2. Add *one* tag, e.g. `<script async>`:',
    '   - in `<head>`',
    '   - or before `</body>`',
    '',
    'Questions? https://x.test/help or [mail us](mailto:help@x.test).',
  ].join('\n');

  it('renders each prefix of a reply without throwing, ending as the one-shot render', () => {
    const into = doc.createElement('div');
    for (let i = 0; i <= reply.length; i++) {
      into.replaceChildren(render(reply.slice(0, i)));
      expect(intruders(into)).toEqual([]);
    }
    expect(html(into)).toBe(md(reply));
    expect(html(into)).toContain('<li>Run:<pre><code>npm i kataven</code></pre></li>');
  });

  it('shows an unclosed fence as code while it streams', () => {
    expect(md('a\n```\nnpm i')).toBe('<p>a</p><pre><code>npm i</code></pre>');
  });
});

describe('in the panel', () => {
  it('renders agent messages as markdown and visitor messages as text, each dir="auto"', async () => {
    const { fetch } = { fetch: (async () => json(200, { data: [msg('visitor', '**hi** [x](https://x.test)'), msg('agent', 'שלום **bold**\n\n- [docs](https://x.test)')] })) as unknown as typeof globalThis.fetch };
    const f = mountFrame({ fetch, storage: () => ({ getItem: () => 'c1', setItem() {}, removeItem() {} }) as unknown as Storage });
    f.init();
    await waitFor(() => expect(f.doc.querySelectorAll('.kv-msg')).toHaveLength(3));
    const [greeting, visitor, agent] = [...f.doc.querySelectorAll('.kv-msg')].map((b) => b.querySelector('.kv-body')!);
    expect(html(greeting!)).toBe('<p>Hi! How can I help?</p>');
    expect(html(visitor!)).toBe('**hi** [x](https://x.test)');
    expect(html(agent!)).toBe('<p>שלום <strong>bold</strong></p><ul><li><a href="https://x.test/">docs</a></li></ul>');
    for (const body of [greeting, visitor, agent]) expect(body!.getAttribute('dir')).toBe('auto');
    // The screen-reader prefix sits outside the dir="auto" element, so it cannot set the direction.
    expect(agent!.previousElementSibling!.className).toBe('kv-sr');
  });
});

import t from 'tap'
import { highlightToHtml, renderMarkdown } from '../../../src/domain/kb/markdown.js'

/**
 * A hostile corpus: each entry is Markdown (with raw HTML, which authors may use) that tries to run script in a
 * reader's browser. After rendering nothing executable may remain.
 */
const HOSTILE: Array<[string, string]> = [
  ['script tag', '<script>alert(1)</script>'],
  ['script tag, mixed case', '<ScRiPt src="https://evil.example/x.js"></sCrIpT>'],
  ['script split by markdown', 'Hello <script>\nalert(document.cookie)\n</script> world'],
  ['img onerror', '<img src="x" onerror="alert(1)">'],
  ['img onerror unquoted', '<img src=x onerror=alert(1)//>'],
  ['body onload', '<body onload=alert(1)>'],
  ['svg onload', '<svg onload="alert(1)"><circle r="10"/></svg>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg use xlink', '<svg><use xlink:href="data:image/svg+xml;base64,PHN2ZyBpZD0neCc+PC9zdmc+#x"/></svg>'],
  ['svg animate href', '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>click</text></a></svg>'],
  ['math', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['iframe', '<iframe src="javascript:alert(1)"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object', '<object data="javascript:alert(1)"></object>'],
  ['embed', '<embed src="javascript:alert(1)">'],
  ['markdown javascript link', '[click](javascript:alert(1))'],
  ['markdown javascript link encoded', '[click](jav&#x09;ascript:alert(1))'],
  ['markdown javascript link entity', '[click](&#106;avascript:alert(1))'],
  ['markdown vbscript link', '[click](vbscript:msgbox(1))'],
  ['markdown data link', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['markdown image javascript', '![x](javascript:alert(1))'],
  ['html a javascript', '<a href="javascript:alert(1)">x</a>'],
  ['html a javascript with whitespace', '<a href=" javascript:alert(1)">x</a>'],
  ['html a javascript tab', '<a href="java\tscript:alert(1)">x</a>'],
  ['html a javascript entity', '<a href="&#x6A;avascript:alert(1)">x</a>'],
  ['html a onclick', '<a href="https://ok.example" onclick="alert(1)">x</a>'],
  ['html a onmouseover mixed case', '<a href="https://ok.example" OnMouseOver="alert(1)">x</a>'],
  ['style tag', '<style>body{background:url("javascript:alert(1)")}</style>'],
  ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
  ['form action', '<form action="javascript:alert(1)"><button>go</button></form>'],
  ['input autofocus onfocus', '<input autofocus onfocus=alert(1)>'],
  ['details ontoggle', '<details open ontoggle=alert(1)><summary>x</summary></details>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['base href', '<base href="javascript:alert(1)//">'],
  ['link import', '<link rel="import" href="https://evil.example/x.html">'],
  ['template', '<template><script>alert(1)</script></template>'],
  ['noscript breakout', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['comment breakout', '<!--<img src="--><img src=x onerror=alert(1)//">'],
  ['cdata', '<![CDATA[<script>alert(1)</script>]]>'],
  ['img data uri', '<img src="data:image/svg+xml,<svg onload=alert(1)>">'],
  ['protocol-relative img', '<img src="//evil.example/x.png">'],
  ['video poster', '<video poster="javascript:alert(1)"></video>'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['textarea breakout', '<textarea></textarea><script>alert(1)</script>'],
  ['nested quotes attribute', '<img src="x" alt="\\" onerror=alert(1) x=\\"">'],
  ['html in code is text', '`<script>alert(1)</script>`'],
  ['fenced block is text', '```html\n<script>alert(1)</script>\n```'],
  ['autolink javascript', '<javascript:alert(1)>'],
  ['reference link javascript', '[x][1]\n\n[1]: javascript:alert(1)'],
  ['code class injection', '<code class="language-js onload=alert(1)">x</code>']
]

const EXECUTABLE: Array<[string, RegExp]> = [
  ['script element', /<script/i],
  ['event handler attribute', /<[^>]*\son[a-z]+\s*=/i],
  ['javascript: URL', /(href|src|action|formaction|poster|data)\s*=\s*["']?\s*(javascript|vbscript|data):/i],
  ['svg/math element', /<(svg|math|use|animate)\b/i],
  ['embedding element', /<(iframe|object|embed|form|input|button|meta|base|link|style|template|video|textarea|body)\b/i],
  ['style attribute', /\sstyle\s*=/i],
  ['protocol-relative URL', /(href|src)\s*=\s*["']?\/\//i]
]

t.test('the hostile corpus is neutralised', async (t) => {
  for (const [name, markdown] of HOSTILE) {
    const { html } = renderMarkdown(markdown)
    for (const [what, pattern] of EXECUTABLE) {
      t.notMatch(html, pattern, `${name}: no ${what} in ${JSON.stringify(html)}`)
    }
  }
})

t.test('the corpus checks can fail: the same patterns catch the raw payloads', async (t) => {
  let caught = 0
  for (const [, markdown] of HOSTILE) if (EXECUTABLE.some(([, p]) => p.test(markdown))) caught++
  // the ten that do not are Markdown syntax (links, images, code), which only becomes HTML when rendered
  t.ok(caught >= 40, `${caught} of ${HOSTILE.length} raw payloads match a pattern`)
})

t.test('ordinary help-centre Markdown survives', async (t) => {
  const { html, text } = renderMarkdown([
    '# Publish a DKIM key',
    '',
    'Add a **TXT** record at `selector._domainkey`, see [RFC 6376](https://www.rfc-editor.org/rfc/rfc6376) or mail <support@example.com>.',
    '',
    '| host | type |',
    '|---|---|',
    '| s1._domainkey | TXT |',
    '',
    '```dns',
    's1._domainkey IN TXT "v=DKIM1; k=rsa; p=MIGf…"',
    '```',
    '',
    '![diagram](https://cdn.example/dkim.png "DKIM")',
    '',
    '<details><summary>Why?</summary>Because receivers check it.</details>'
  ].join('\n'))
  t.match(html, '<h1>Publish a DKIM key</h1>')
  t.match(html, '<strong>TXT</strong>')
  t.match(html, '<a href="https://www.rfc-editor.org/rfc/rfc6376" rel="noopener noreferrer nofollow">RFC 6376</a>')
  t.match(html, '<a href="mailto:support@example.com" rel="noopener noreferrer nofollow">')
  t.match(html, '<table>')
  t.match(html, '<code class="language-dns">')
  t.match(html, '<img src="https://cdn.example/dkim.png" alt="diagram" title="DKIM" />')
  t.match(html, '<details><summary>Why?</summary>')
  t.match(text, 'Publish a DKIM key Add a TXT record at selector._domainkey')
  t.notMatch(text, /</, 'plain text has no markup')
})

t.test('snippets: text is escaped, only the highlight markers become <mark>', async (t) => {
  t.equal(highlightToHtml('use \u0002DKIM\u0003 & <script>x</script>'), 'use <mark>DKIM</mark> &amp; &lt;script&gt;x&lt;/script&gt;')
  // the text extracted for search keeps what a reader sees, including characters that look like markup
  const { text } = renderMarkdown('Escaped `<img src=x onerror=alert(1)>` in code')
  t.equal(highlightToHtml(text), 'Escaped &lt;img src=x onerror=alert(1)&gt; in code')
})

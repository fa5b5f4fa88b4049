# ruff: noqa: E501 (payloads are kept whole, one per line, to read as sent)
"""A corpus of hostile input for every field that reaches a page.

Each entry is (family, text). The families are the classic ways stored XSS
gets through a markdown-and-HTML pipeline; the texts are written to be pasted
into a markdown field, a title, a lede or a search box. tests/test_xss.py
parses the output as a browser would and fails on any element or attribute
that could run script.

A vector that fires calls `alert(…)`/`confirm(…)`/`prompt(…)`, so a browser
test can tell by listening for a dialog.
"""

VECTORS = [
    # --- script tags ---------------------------------------------------------
    ("script", "<script>alert('script-1')</script>"),
    ("script", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("script", "<scr<script>ipt>alert('script-3')</scr</script>ipt>"),
    ("script", "<script\n>alert('script-4')</script\n>"),
    ("script", '"><script>alert("script-5")</script>'),
    ("script", "</title><script>alert('script-6')</script>"),
    ("script", "</script><script>alert('script-7')</script>"),
    # --- event handlers -------------------------------------------------------
    ("event", "<img src=x onerror=\"alert('event-1')\">"),
    ("event", "<img src=x ONERROR=alert('event-2')>"),
    ("event", "<body onload=alert('event-3')>"),
    ("event", "<div onmouseover=\"alert('event-4')\">hover</div>"),
    ("event", '<a href="/ok" onclick="alert(\'event-5\')">click</a>'),
    ("event", "<img/src=x/onerror=alert('event-6')>"),
    ("event", "<details open ontoggle=alert('event-7')>"),
    ("event", "<input autofocus onfocus=alert('event-8')>"),
    ("event", "<video><source onerror=\"alert('event-9')\"></video>"),
    # --- javascript:, data:, vbscript: URLs (case, entities, whitespace) -------
    ("url", "<a href=\"javascript:alert('url-1')\">x</a>"),
    ("url", "<a href=\"JaVaScRiPt:alert('url-2')\">x</a>"),
    ("url", "<a href=\"&#106;avascript:alert('url-3')\">x</a>"),
    ("url", "<a href=\"&#x6A;&#x61;vascript&#58;alert('url-4')\">x</a>"),
    ("url", "<a href=\" \tjava\nscript:alert('url-5')\">x</a>"),
    ("url", "<a href=\"java&#09;script:alert('url-6')\">x</a>"),
    (
        "url",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    ),
    ("url", "<a href=\"vbscript:msgbox('url-8')\">x</a>"),
    ("url", "<a href=\"VBScript:msgbox('url-9')\">x</a>"),
    ("url", "<img src=\"javascript:alert('url-10')\">"),
    ("url", "<a href=\"javascript&colon;alert('url-11')\">x</a>"),
    (
        "url",
        "<a href='&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(\"url-12\")'>x</a>",
    ),
    # --- SVG and MathML tricks ----------------------------------------------
    ("svg", "<svg onload=alert('svg-1')>"),
    ("svg", "<svg><script>alert('svg-2')</script></svg>"),
    (
        "svg",
        "<svg><a xlink:href=\"javascript:alert('svg-3')\"><text y=20>x</text></a></svg>",
    ),
    ("svg", "<svg><animate onbegin=alert('svg-4') attributeName=x dur=1s>"),
    (
        "svg",
        "<svg><foreignObject><iframe srcdoc=\"<script>alert('svg-5')</script>\"></iframe></foreignObject></svg>",
    ),
    (
        "mathml",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert('math-1')>",
    ),
    ("mathml", "<math href=\"javascript:alert('math-2')\">click</math>"),
    (
        "mathml",
        "<math><maction actiontype=statusline xlink:href=\"javascript:alert('math-3')\">x</maction></math>",
    ),
    # --- markdown link and image syntax -------------------------------------
    ("markdown-link", "[click me](javascript:alert('md-1'))"),
    ("markdown-link", "[click me](JAVASCRIPT:alert('md-2'))"),
    ("markdown-link", "[click me](  javascript:alert('md-3')  )"),
    ("markdown-link", "[click me](java%0ascript:alert('md-4'))"),
    ("markdown-link", "[click me](&#106;avascript:alert('md-5'))"),
    (
        "markdown-link",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgnbWQtNicpPC9zY3JpcHQ+)",
    ),
    ("markdown-link", "[x](vbscript:msgbox('md-7'))"),
    ("markdown-link", '[x](https://ok.example "title" onmouseover="alert(\'md-8\')")'),
    ("markdown-image", "![x](javascript:alert('img-1'))"),
    ("markdown-image", "![x\" onerror=\"alert('img-2')](https://ok.example/a.png)"),
    ("markdown-image", "![x](https://ok.example/a.png\"onerror=\"alert('img-3'))"),
    ("markdown-attr", "[x](https://ok.example){: onclick=\"alert('attr-1')\" }"),
    ("markdown-attr", '![x](/a.png){: onerror="alert(\'attr-2\')" style="x" }'),
    # --- reference-style links and autolinks -------------------------------
    ("reference", "[click][evil]\n\n[evil]: javascript:alert('ref-1')"),
    ("reference", "![pic][evil]\n\n[evil]: javascript:alert('ref-2')"),
    ("reference", "[click][e]\n\n[e]: JaVaScRiPt:alert('ref-3') \"t\""),
    ("autolink", "<javascript:alert('auto-1')>"),
    ("autolink", "<JAVASCRIPT:alert('auto-2')>"),
    ("autolink", "<vbscript:msgbox('auto-3')>"),
    ("autolink", "<data:text/html,<script>alert('auto-4')</script>>"),
    # --- raw HTML blocks, embeds, forms, styles --------------------------------
    ("raw-html", "<div markdown=\"1\">\n<script>alert('raw-1')</script>\n</div>"),
    ("raw-html", "<iframe src=\"javascript:alert('raw-2')\"></iframe>"),
    ("raw-html", "<iframe srcdoc=\"<script>alert('raw-3')</script>\"></iframe>"),
    ("raw-html", "<object data=\"javascript:alert('raw-4')\"></object>"),
    ("raw-html", "<embed src=\"javascript:alert('raw-5')\">"),
    (
        "raw-html",
        "<form action=\"javascript:alert('raw-6')\"><button>go</button></form>",
    ),
    ("raw-html", "<style>body{background:url(\"javascript:alert('raw-7')\")}</style>"),
    ("raw-html", "<p style=\"background:url(javascript:alert('raw-8'))\">styled</p>"),
    (
        "raw-html",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(\'raw-9\')">',
    ),
    ("raw-html", "<base href=\"javascript:alert('raw-10')//\">"),
    ("raw-html", "<link rel=stylesheet href=\"javascript:alert('raw-11')\">"),
    ("raw-html", "<template><script>alert('raw-12')</script></template>"),
    (
        "raw-html",
        "<noscript><p title=\"</noscript><img src=x onerror=alert('raw-13')>\">",
    ),
    # --- broken and nested tags --------------------------------------------------
    ("broken", "<img src=x onerror=alert('broken-1')"),
    ("broken", "<<script>alert('broken-2');//<</script>"),
    ("broken", "<a href=\"javascript:alert('broken-3')\"<b>x</b>"),
    ("broken", "<!--<img src=\"--><img src=x onerror=alert('broken-4')//\">"),
    ("broken", "<![CDATA[<script>alert('broken-5')</script>]]>"),
    ("broken", "<scr\x00ipt>alert('broken-6')</script>"),
    ("broken", "<textarea></textarea><script>alert('broken-7')</script>"),
    ("broken", '<a href="/ok" id="x" name="x" target="_top">clobber</a>'),
    # --- code spans keep text inert ------------------------------------------
    ("code", "`<script>alert('code-1')</script>`"),
    ("code", "```html\n<script>alert('code-2')</script>\n```"),
]

# Title-like fields are plain text: these must come out escaped wherever the
# title is printed (HTML pages, feeds, JSON-LD, meta tags).
TITLE_VECTORS = [
    "</title><script>alert('title-1')</script>",
    "\"><img src=x onerror=alert('title-2')>",
    "</script><script>alert('title-3')</script>",
    "' onmouseover='alert(\"title-4\")",
    "<svg onload=alert('title-5')>",
    "&lt;script&gt;alert('title-6')&lt;/script&gt;",
]

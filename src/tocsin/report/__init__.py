"""Reports of an assessment: a self-contained HTML page (``html.render_html``), a Markdown
brief (``markdown.render_markdown``), both written side by side by ``write.write_report``,
and everything shown in a terminal (``terminal``).

The HTML page is one offline HTML5 file (inline CSS and SVG charts, every piece of case or
article text escaped, each linked sentence marked in its article).
"""

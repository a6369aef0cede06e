#!/usr/bin/env python3
"""Makes the Hugo peer of a built hromadata site (standard library only), for bench/national/run.sh.

  hugo_site.py SITE HUGO_DIR

One Hugo content file per HTML page of SITE, at the same address (`url` in the front matter): its title,
its `lang` and the page's `<main>` content as raw HTML inside the Markdown (goldmark's `unsafe` renderer
passes it through). A base template adds a header with the catalogue's name and navigation and a footer,
as hromadata's base template does. So Hugo writes the same number of pages with the same text and tables;
it parses Markdown and runs a template per page, but it does not build the tables from CSV, check data or
hash anything — if anything the comparison favours Hugo.

Taxonomies, sections, the home list, RSS, sitemap and robots.txt are off: Hugo writes exactly the pages.
Prints the number of content files written.
"""

import html
import json
import os
import re
import shutil
import sys

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
LANG = re.compile(r'<html[^>]*\blang="([^"]+)"')
MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)

CONFIG = """baseURL = "https://example.org/"
title = "Відкриті дані громад"
languageCode = "uk"
disablePathToLower = true
disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
[[menus.main]]
name = "Набори даних"
url = "/datasets/"
weight = 1
[[menus.main]]
name = "Розпорядники"
url = "/publishers/"
weight = 2
[[menus.main]]
name = "Громади"
url = "/hromadas/"
weight = 3
[[menus.main]]
name = "Пошук"
url = "/search/"
weight = 4
"""

SINGLE = """<!DOCTYPE html>
<html lang="{{ .Params.lang_attr }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<a class="skip" href="#main">Перейти до вмісту</a>
<header class="site-header">
<a class="brand" href="/">{{ site.Title }}</a>
<nav aria-label="Головне меню"><ul>
{{ range site.Menus.main }}<li><a href="{{ .URL }}">{{ .Name }}</a></li>
{{ end }}</ul></nav>
</header>
<main id="main">
<h1>{{ .Title }}</h1>
{{ .Content }}
</main>
<footer class="site-footer"><p>{{ site.Title }} · <a href="{{ .RelPermalink }}">{{ .RelPermalink }}</a></p></footer>
</body>
</html>
"""


def page_url(rel):
    """The address hromadata serves the file at: folder/index.html → /folder/, other.html → /other.html."""
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def content(text):
    """Title, lang and the <main> HTML as one HTML block (no blank or indented lines Markdown would read)."""
    title = TITLE.search(text)
    lang = LANG.search(text)
    main = MAIN.search(text)
    body = SCRIPT.sub("", main.group(1) if main else text)
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return (html.unescape(title.group(1).strip()) if title else "",
            lang.group(1) if lang else "uk", "\n".join(lines))


def main():
    site, out = sys.argv[1], sys.argv[2]
    pages = []
    for root, dirs, files in os.walk(site):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".html"):
                pages.append(os.path.relpath(os.path.join(root, name), site))
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "layouts", "_default"))
    with open(os.path.join(out, "hugo.toml"), "w", encoding="utf-8") as f:
        f.write(CONFIG)
    with open(os.path.join(out, "layouts", "_default", "single.html"), "w", encoding="utf-8") as f:
        f.write(SINGLE)
    for n, rel in enumerate(pages):
        with open(os.path.join(site, rel), encoding="utf-8", errors="replace") as f:
            title, lang, body = content(f.read())
        folder = os.path.join(out, "content", "p", f"{n // 1000:04d}")
        if n % 1000 == 0:
            os.makedirs(folder)
        with open(os.path.join(folder, f"{n:07d}.md"), "w", encoding="utf-8") as f:
            # JSON strings are valid TOML basic strings.
            f.write(f"+++\ntitle = {json.dumps(title, ensure_ascii=False)}\n"
                    f"url = {json.dumps(page_url(rel))}\nlang_attr = {json.dumps(lang)}\n+++\n{body}\n")
    print(len(pages))


if __name__ == "__main__":
    main()

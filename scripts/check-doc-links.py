#!/usr/bin/env python3
"""Check that every relative link in the documentation resolves, #anchor included.

    python3 scripts/check-doc-links.py [file.md ...]

Without arguments it checks README.md, docs/*.md and electron-demo/README.md. A link's file must
exist, and an #anchor must name a heading of the Markdown file it points to, slugged as GitHub
does: lowercase, punctuation other than '-' and '_' dropped, spaces made '-', and -1, -2 … added
to repeats. Links inside code (fenced blocks and `spans`) are not links and are skipped.
Exits 1 and lists the broken links if there are any.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ['README.md', *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob('docs/*.md')),
           'electron-demo/README.md']

LINK = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
HEADING = re.compile(r'^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$')


def prose_lines(text):
    """(line number, line) outside fenced code blocks, with `code spans` blanked out."""
    fence = None
    for number, line in enumerate(text.split('\n'), 1):
        marker = re.match(r'^ {0,3}(`{3,}|~{3,})', line)
        if marker:
            if fence is None:
                fence = marker.group(1)[0]
            elif marker.group(1)[0] == fence:
                fence = None
            continue
        if fence is None:
            yield number, line


def slug(heading):
    """GitHub's anchor for a heading's text."""
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # a link counts as its text
    text = re.sub(r'<[^>]+>', '', text).replace('`', '')
    text = re.sub(r'[^\w\- ]', '', text.lower())
    return text.replace(' ', '-')


def anchors(path, cache={}):
    if path not in cache:
        seen, found = {}, set()
        for _, line in prose_lines(path.read_text(encoding='utf-8')):
            match = HEADING.match(line)
            if match:
                base = slug(match.group(2))
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else f'{base}-{count}')
        cache[path] = found
    return cache[path]


def check(name):
    source = ROOT / name
    problems = []
    for number, line in prose_lines(source.read_text(encoding='utf-8')):
        for match in LINK.finditer(re.sub(r'`[^`]*`', lambda m: ' ' * len(m.group(0)), line)):
            target = match.group(1)
            if re.match(r'[a-zA-Z][\w+.-]*:', target):  # https:, mailto: …
                continue
            path, _, anchor = target.partition('#')
            resolved = (source.parent / path).resolve() if path else source
            where = f'{name}:{number}: {target}'
            if not resolved.exists():
                problems.append(f'{where}: no such file')
            elif anchor and resolved.suffix == '.md' and anchor not in anchors(resolved):
                problems.append(f'{where}: no heading #{anchor} in {resolved.relative_to(ROOT)}')
    return problems


def main():
    files = sys.argv[1:] or DEFAULT
    problems = [problem for name in files for problem in check(name)]
    for problem in problems:
        print(problem)
    print(f'{len(files)} files checked, {len(problems)} broken links', file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

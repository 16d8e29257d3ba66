#!/usr/bin/env python3
"""make lint: check every html_printf() call's format and arguments (issue 19).

html_printf (http/html.c) knows %h (escaped text), %u (URL-encoded text),
%s (trusted markup), %d (int), %I (int64_t) and %%; anything else is
silently dropped at run time. Like Fossil's codecheck, this reads each call
in backend/ and tools/ and refuses:
  - a format that is not made of string literals only (an upper-case macro
    of a literal may stand among them: the compiler's check covers it),
  - a conversion html_printf does not know (%f, %zu, %02d, %ld, ...),
  - a call whose number of arguments differs from its conversions.
Then it checks the arguments' types with the compiler: each file is
compiled (syntax only) with every html_printf call renamed to a prototype
with GCC's format(printf) attribute, its format rewritten to printf's
(%h, %u -> %s; %I -> PRId64), so a wrong type (an int64_t for %d, an int
for %h) is a -Wformat error at the call's own line.

Usage: htmlfmt.py [FILE.c ...] (default: every .c under backend/ and tools/).
CC and CFLAGS come from the environment (the Makefile passes its own).
Prints FILE:LINE: message for each problem and exits 1 if there was one.
"""
import os
import re
import shlex
import subprocess
import sys

NAME = 'html_printf'
KNOWN = set('husdI%')
PROTO = ('#include <inttypes.h>\n'
         'void html_printf_chk_(const void *h, const char *fmt, ...)'
         ' __attribute__((format(printf, 2, 3)));\n')


def skip_literal(src, i):
    """I at a quote; the index after the closing quote."""
    q = src[i]
    i += 1
    while i < len(src) and src[i] != q:
        i += 2 if src[i] == '\\' else 1
    return i + 1


def blank_comments(src):
    """SRC with comments replaced by spaces (newlines kept), literals kept."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c in '"\'':
            j = skip_literal(src, i)
            out.append(src[i:j])
            i = j
        elif src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j]))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def call_args(src, i):
    """I just after a call's '('. ([(start, end) of each argument], index after ')')."""
    args, depth, start = [], 0, i
    while i < len(src):
        c = src[i]
        if c in '"\'':
            i = skip_literal(src, i)
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            if depth == 0:
                args.append((start, i))
                return args, i + 1
            depth -= 1
        elif c == ',' and depth == 0:
            args.append((start, i))
            start = i + 1
        i += 1
    raise ValueError('unbalanced call')


def literals(text):
    """The string literals of TEXT as (start, end) spans, or None if TEXT holds anything else."""
    spans, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == '"':
            j = skip_literal(text, i)
            spans.append((i, j))
            i = j
        else:
            m = re.match(r'[A-Z][A-Z0-9_]*', text[i:])
            if not m:
                return None
            i += m.end()  # a macro of a string literal (PAGE_SITE_NAME): the compiler checks it
    return spans or None


def conversions(fmt):
    """The conversion letters of FMT (the contents of its literals), %% left out."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == '%':
            out.append(fmt[i + 1] if i + 1 < len(fmt) else '')
            i += 2
        else:
            i += 1
    return out


def to_printf(lit):
    """A literal of an html_printf format as one of printf's."""
    body = lit[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == '%' and i + 1 < len(body):
            c = body[i + 1]
            out.append({'h': '%s', 'u': '%s', 'I': '%" PRId64 "'}.get(c, '%' + c))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return '"' + ''.join(out) + '"'


def check_file(path, problems):
    src = open(path, encoding='utf-8').read()
    code = blank_comments(src)
    edits = []  # (start, end, replacement) on SRC
    for m in re.finditer(r'\b' + NAME + r'\s*\(', code):
        line = code.count('\n', 0, m.start()) + 1
        before = code[max(0, m.start() - 40):m.start()]
        if re.search(r'(void|define)\s*$', before):
            continue  # the definition or a macro
        try:
            args, _ = call_args(code, m.end())
        except ValueError:
            problems.append(f'{path}:{line}: {NAME}: cannot read this call')
            continue
        if len(args) < 2:
            problems.append(f'{path}:{line}: {NAME}: no format')
            continue
        fs, fe = args[1]
        spans = literals(code[fs:fe])
        if spans is None:
            problems.append(f'{path}:{line}: {NAME}: the format must be string literals only')
            continue
        fmt = ''.join(code[fs + a + 1:fs + b - 1] for a, b in spans)
        convs = conversions(fmt)
        bad = [c for c in convs if c not in KNOWN]
        if bad:
            problems.append(f'{path}:{line}: {NAME}: unsupported conversion '
                            + ', '.join('%' + c for c in bad)
                            + ' (html_printf knows %h %u %s %d %I %%; anything else is dropped)')
            continue
        need = len([c for c in convs if c != '%'])
        have = len(args) - 2
        if need != have:
            problems.append(f'{path}:{line}: {NAME}: {need} conversions but {have} arguments')
            continue
        edits.append((m.start(), m.start() + len(NAME), NAME + '_chk_'))
        for a, b in spans:
            edits.append((fs + a, fs + b, to_printf(code[fs + a:fs + b])))
    return src, edits


def type_check(path, src, edits, problems):
    if not edits:
        return
    out, last = [], 0
    for s, e, r in sorted(edits):
        out.append(src[last:s])
        out.append(r)
        last = e
    out.append(src[last:])
    text = PROTO + '#line 1 "' + path + '"\n' + ''.join(out)
    cc = os.environ.get('CC', 'cc')
    cflags = shlex.split(os.environ.get('CFLAGS', '-std=c11 -D_GNU_SOURCE'))
    cmd = [cc, *cflags, '-fsyntax-only', '-Wformat', '-Werror=format', '-Werror=implicit-function-declaration', '-Wno-format-zero-length',
           '-iquote', os.path.dirname(path) or '.', '-x', 'c', '-']
    r = subprocess.run(cmd, input=text, capture_output=True, text=True)
    if r.returncode != 0:
        for l in r.stderr.splitlines():
            if 'error' in l or 'warning' in l:
                problems.append(l.replace(NAME + '_chk_', NAME))
        if not any(path in p for p in problems):
            problems.append(f'{path}: the compiler failed: {r.stderr.strip()[:400]}')


def main():
    files = sys.argv[1:]
    if not files:
        for top in ('backend', 'tools'):
            for d, _, names in os.walk(top):
                files += [os.path.join(d, n) for n in names if n.endswith('.c')]
    problems, ncalls = [], 0
    for path in sorted(files):
        src, edits = check_file(path, problems)
        ncalls += len([e for e in edits if e[2] == NAME + '_chk_'])
        type_check(path, src, edits, problems)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f'lint: ok ({ncalls} html_printf calls: formats and argument types)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

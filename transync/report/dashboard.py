"""The static dashboard of ``transync report``: one HTML page, ``status.json`` and ``summary.svg``.

The page is self-contained (inline CSS, a few lines of inline JS for the
filters and the sorting, no request to anywhere), so it works from
``file://`` and on GitHub Pages alike. Every text that comes from the site
(paths, refs, reasons, messages) goes through :func:`html.escape`.
Current translations are counted, not listed: they are most of a site and
nothing to do. Check findings are those ``check`` shows: the new ones, once
the baseline and ``transync-ignore`` comments have had their say (the page
says how many they left out).
"""

from __future__ import annotations

import io
from collections import defaultdict
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from urllib.parse import quote

from transync.fsutil import atomic_write
from transync.report.output import adoption_lines, check_total, language_names, note_of, since_of, status_json, write_json
from transync.site.config import STATES
from transync.site.status import EXPECTED, WORK_ORDER, StatusItem, StatusReport

if TYPE_CHECKING:
    from transync.checks import CheckReport, Finding

HTML_NAME = "index.html"
JSON_NAME = "status.json"
SVG_NAME = "summary.svg"

LISTED = tuple(s for s in WORK_ORDER if s != "current")

_STATE_HINTS = {
    "stale": "the source changed since the translation was made",
    "missing": "not translated yet",
    "pseudo": "a pseudo-localized preview, not a translation",
    "orphan": "no source document",
    "duplicate": "two files claim the same ref and language",
    "invalid": "cannot be read or lacks a required field",
}


@lru_cache(maxsize=None)
def _lang_label(code: str) -> str:
    english, native = language_names(code)
    text = escape(english)
    if native:
        text += f' (<span lang="{escape(code)}">{escape(native)}</span>)'
    return text


class Links:
    """A file's page in the repository (``{path}`` pattern) and a document's page on the built site."""

    def __init__(self, root: Path, repo_url: str | None, site_url: str | None) -> None:
        self.root = root
        self.repo_url = repo_url
        self.site_url = site_url.rstrip("/") if site_url else None

    def file(self, path: str | None, line: int | None = None) -> str:
        if not path:
            return ""
        text = escape(path) + (f":{line}" if line else "")
        if not self.repo_url:
            return f"<code>{text}</code>"
        href = self.repo_url.replace("{path}", quote(path)) + (f"#L{line}" if line else "")
        return f'<a href="{escape(href)}"><code>{text}</code></a>'

    def page(self, path: str | None) -> str:
        permalink = self._permalink(path) if path and self.site_url else None
        if not permalink:
            return ""
        return f'<a href="{escape(self.site_url + permalink)}">page</a>'

    @lru_cache(maxsize=None)
    def _permalink(self, path: str) -> str | None:
        from transync import document
        from transync.errors import DocumentError

        try:
            value = document.parse((self.root / path).read_bytes()).meta.get("permalink")
        except (OSError, DocumentError, ValueError):
            return None
        return value if isinstance(value, str) and value.startswith("/") else None


# --------------------------------------------------------------------------- the page


_CSS = """
:root{--bg:#fff;--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;--bar:#e4e4e4;--ok:#1b7a3a;--link:#0b57d0;--head:#f3f3f3}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#ececec;--muted:#b0b0b0;--line:#444;--bar:#333;--ok:#4cc47a;--link:#8ab4f8;--head:#1e1e1e}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1rem;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
a{color:var(--link)}
h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;display:inline}
.muted{color:var(--muted)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--head)}
.d{white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:var(--bar);height:.8rem;min-width:5rem;border-radius:.2rem;overflow:hidden}
.bar span{display:block;height:100%;background:var(--ok)}
code{font-size:.9em;overflow-wrap:anywhere}
details{margin:.5rem 0}
summary{cursor:pointer}
form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:1rem 0}
select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:.2rem}
th button{border:0;background:none;padding:0;font-weight:bold;cursor:pointer;text-decoration:underline dotted}
[hidden]{display:none!important}
@media (max-width:40rem){.list,.list thead,.list tbody,.list tr,.list td{display:block}
.list thead tr{display:flex;flex-wrap:wrap;gap:.2rem .8rem;background:var(--head);padding:.3rem .5rem}
.list thead th{border:0;padding:0}.list tbody tr{border-bottom:1px solid var(--line);padding:.3rem 0}.list td{border:0;padding:.05rem .5rem}}
"""

# Filters hide rows and the groups left empty; sorting reorders a table's rows by a data attribute.
_JS = """
const f=document.getElementById('filters');
function apply(){const v={lang:f.lang.value,coll:f.coll.value,state:f.state.value};
document.querySelectorAll('tr[data-state]').forEach(r=>{r.hidden=!['lang','coll','state'].every(k=>!v[k]||r.dataset[k]===v[k])});
document.querySelectorAll('details[data-group]').forEach(d=>{d.hidden=!d.querySelector('tr[data-state]:not([hidden])')});
document.querySelectorAll('section[data-lang]').forEach(s=>{s.hidden=!!v.lang&&s.dataset.lang!==v.lang})}
f.addEventListener('change',apply);
document.querySelectorAll('th button[data-key]').forEach(b=>b.addEventListener('click',()=>{
const th=b.closest('th'),tb=b.closest('table').tBodies[0],k=b.dataset.key,up=th.getAttribute('aria-sort')!=='ascending';
const rows=[...tb.rows].sort((x,y)=>{const a=x.dataset[k]||'',c=y.dataset[k]||'';const d=k==='weight'?a-c:a.localeCompare(c);return up?d:-d});
b.closest('tr').querySelectorAll('th').forEach(h=>h.removeAttribute('aria-sort'));th.setAttribute('aria-sort',up?'ascending':'descending');
rows.forEach(r=>tb.appendChild(r))}));
"""


def render_html(report: StatusReport, *, checks: CheckReport | None = None, links: Links | None = None, title: str | None = None) -> str:
    """The dashboard page of a status report (and of a check report, when given)."""
    cfg = report.config
    links = links or Links(cfg.root, cfg.repo_url, cfg.site_url)
    name = title or cfg.root.name
    out: list[str] = []
    w = out.append
    w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    w('<meta name="viewport" content="width=device-width,initial-scale=1">\n')
    w(f"<title>Translation status: {escape(name)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n")
    w(f"<header><h1>Translation status: {escape(name)}</h1>\n")
    sources = ", ".join(f"{n:,} in {_lang_label(lang)}" for lang, n in sorted(report.sources.items()))
    w(f'<p class="muted">{report.files:,} files in {len(cfg.collections)} collections; sources: {sources or "none"}; '
      f"stale judged by {escape(report.evidence)}.</p></header>\n<main>\n")
    _overview(report, w)
    _matrix(report, w)
    _state_counts(report, w)
    for note in report.notes:
        w(f'<p class="muted">Note: {escape(note)}</p>\n')
    if checks is not None:
        w(f'<p id="check-total">Checks: {escape(check_total(checks))}</p>\n')
        for line in adoption_lines(checks.adoption):
            w(f'<p class="muted" data-adoption>{escape(line)}</p>\n')
    _filters(report, w)
    by_lang: dict[str | None, list[StatusItem]] = defaultdict(list)
    for item in report.items:
        if item.state != "current":
            by_lang[item.lang].append(item)
    found: dict[str | None, list[Finding]] = defaultdict(list)
    accepted: dict[str, int] = {}
    if checks is not None:
        for finding in checks.findings:
            found[finding.lang].append(finding)
        accepted = checks.adoption.known_by_lang if checks.adoption is not None else {}
    langs = [lang for lang in report.summary if by_lang.get(lang) or found.get(lang) or accepted.get(lang)]
    langs += [lang for lang in by_lang if lang not in report.summary]
    for lang in langs:
        _language(lang, by_lang.get(lang, []), found.get(lang, []), checks, links, w)
    if checks is not None and checks.unreadable:
        w("<h2>Files the checks could not read</h2>\n<ul>\n")
        for bad in checks.unreadable:
            w(f"<li>{links.file(bad.path, bad.line)}: {escape(bad.reason)}</li>\n")
        w("</ul>\n")
    w(f"</main>\n<script>{_JS}</script>\n</body>\n</html>\n")
    return "".join(out)


def _overview(report: StatusReport, w) -> None:
    w('<section aria-labelledby="overview"><h2 id="overview">Completion per language</h2>\n<div class="scroll"><table id="languages">\n')
    w('<thead><tr><th scope="col">Language</th><th scope="col">Complete</th><th scope="col" class="n">%</th>')
    w("".join(f'<th scope="col" class="n">{s}</th>' for s in STATES) + "</tr></thead>\n<tbody>\n")
    for lang, row in report.summary.items():
        w(f'<tr data-lang-row="{escape(lang)}"><th scope="row"><code>{escape(lang)}</code> {_lang_label(lang)}</th>')
        if row.source and row.expected == 0:
            w('<td>source</td><td class="n"></td>')
        else:
            pct = row.percent_complete
            w(f'<td><div class="bar" role="img" aria-label="{pct:.1f}% complete"><span style="width:{pct:.1f}%"></span></div></td>'
              f'<td class="n">{pct:.1f}</td>')
        w("".join(f'<td class="n" data-count="{s}">{row.counts[s]}</td>' for s in STATES) + "</tr>\n")
    w("</tbody></table></div></section>\n")


def collection_matrix(report: StatusReport) -> dict[str, dict[str, tuple[int, int]]]:
    """collection -> language -> (current, expected): expected being the refs that should have it."""
    cells: dict[str, dict[str, list[int]]] = {c.name: {} for c in report.config.collections}
    for item in report.items:
        if item.state in EXPECTED and item.lang:
            cell = cells.setdefault(item.collection, {}).setdefault(item.lang, [0, 0])
            cell[0] += item.state == "current"
            cell[1] += 1
    return {c: {lang: (v[0], v[1]) for lang, v in langs.items()} for c, langs in cells.items()}


def _matrix(report: StatusReport, w) -> None:
    matrix = collection_matrix(report)
    langs = [lang for lang in report.summary if any(lang in row for row in matrix.values())]
    w('<section aria-labelledby="matrix"><h2 id="matrix">Collections by language</h2>\n')
    w('<p class="muted">Current translations of the collection\'s sources.</p>\n<div class="scroll"><table id="collections">\n')
    w('<thead><tr><th scope="col">Collection</th>' + "".join(f'<th scope="col" class="n"><code>{escape(lang)}</code></th>' for lang in langs))
    w("</tr></thead>\n<tbody>\n")
    for coll, row in matrix.items():
        w(f'<tr><th scope="row">{escape(coll)}</th>')
        for lang in langs:
            if lang in row:
                current, expected = row[lang]
                pct = 100.0 * current / expected if expected else 100.0
                w(f'<td class="n" data-current="{current}" data-expected="{expected}">{pct:.1f}% <span class="muted">({current:,}/{expected:,})</span></td>')
            else:
                w('<td class="n">–</td>')
        w("</tr>\n")
    w("</tbody></table></div></section>\n")


def _state_counts(report: StatusReport, w) -> None:
    counts = report.counts()
    w('<section aria-labelledby="states"><h2 id="states">Documents per state</h2>\n<div class="scroll"><table id="state-counts">\n')
    w('<thead><tr><th scope="col">State</th><th scope="col" class="n">Documents</th><th scope="col">Meaning</th></tr></thead>\n<tbody>\n')
    for state in WORK_ORDER:
        hint = _STATE_HINTS.get(state, "up to date")
        w(f'<tr><th scope="row">{state}</th><td class="n" data-count="{state}">{counts[state]:,}</td><td>{hint}</td></tr>\n')
    w("</tbody></table></div></section>\n")


def _filters(report: StatusReport, w) -> None:
    def options(values: Iterable[str]) -> str:
        return '<option value="">all</option>' + "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)

    w('<h2 id="todo">What to do</h2>\n<form id="filters" aria-label="Filters">\n')
    w(f'<label>Language <select name="lang">{options(report.summary)}</select></label>\n')
    w(f'<label>Collection <select name="coll">{options(c.name for c in report.config.collections)}</select></label>\n')
    w(f'<label>State <select name="state">{options(LISTED + ("check",))}</select></label>\n</form>\n')


def _attrs(item_lang: str | None, coll: str, state: str, weight: int, date: str | None) -> str:
    return (f'data-lang="{escape(item_lang or "")}" data-coll="{escape(coll)}" data-state="{state}" '
            f'data-weight="{weight}" data-date="{escape(date or "")}"')


def _weight(item: StatusItem) -> int:
    """Heaviest work first: the rank of :attr:`Changes.weight` then characters, as one sortable number."""
    if item.changes is None:
        return 9_000_000_000
    rank, chars = item.changes.weight
    return rank * 1_000_000_000 + chars + 1_000_000_000 // 2


def _language(lang: str | None, items: list[StatusItem], findings: list[Finding], checks: CheckReport | None, links: Links, w) -> None:
    code = lang or ""
    heading = f"<code>{escape(code)}</code> {_lang_label(code)}" if lang else "Unknown language"
    w(f'<section data-lang="{escape(code)}" aria-labelledby="lang-{escape(code)}"><h2 id="lang-{escape(code)}">{heading}</h2>\n')
    for state in LISTED:
        group = [i for i in items if i.state == state]
        if not group:
            continue
        w(f'<details open data-group="{state}"><summary><h3>{state} ({len(group):,})</h3> '
          f'<span class="muted">{_STATE_HINTS[state]}</span></summary>\n<div class="scroll"><table class="list">\n<thead><tr>')
        w('<th scope="col">Collection</th><th scope="col">Ref</th><th scope="col">File</th>')
        w('<th scope="col"><button type="button" data-key="date">Date</button></th>')
        if state == "stale":
            w('<th scope="col"><button type="button" data-key="weight">What changed</button></th><th scope="col">Since</th>')
        else:
            w('<th scope="col">Why</th>')
        w("</tr></thead>\n<tbody>\n")
        for item in group:
            date = item.date or item.source_date
            w(f"<tr {_attrs(lang, item.collection, state, _weight(item), date)}>")
            w(f"<td>{escape(item.collection)}</td><td>{escape(item.ref or '–')}</td>")
            if state == "missing":
                where = escape(item.target_path or "–") + " <span class=\"muted\">from</span> " + links.file(item.source_path)
            else:
                where = links.file(item.path, item.line if state == "invalid" else None)
                page = links.page(item.path)
                where += f" {page}" if page else ""
            w(f'<td>{where}</td><td class="d">{escape(date or "")}</td>')
            if state == "stale":
                w(f"<td>{_changed(item)}</td><td>{escape(_baseline(item))}</td>")
            else:
                w(f"<td>{escape(note_of(item))}</td>")
            w("</tr>\n")
        w("</tbody></table></div></details>\n")
    if checks is not None:
        accepted = checks.adoption.known_by_lang.get(code, 0) if checks.adoption is not None else 0
        kept = f"; {accepted:,} accepted in the baseline, not shown" if accepted else ""
        w(f'<details open data-group="check"><summary><h3>check findings ({len(findings):,})</h3> '
          f'<span class="muted">{escape(", ".join(checks.checks))}{kept}</span></summary>\n')
        if findings:
            w('<div class="scroll"><table class="list">\n<thead><tr><th scope="col">Check</th><th scope="col">File</th><th scope="col">Message</th></tr></thead>\n<tbody>\n')
            for f in findings:
                w(f"<tr {_attrs(lang, f.collection, 'check', 0, None)}><td>{escape(f.check)}</td>"
                  f"<td>{links.file(f.file, f.line)}</td><td>{escape(f.message)}</td></tr>\n")
            w("</tbody></table></div>")
        else:
            w("<p>No new findings.</p>" if accepted else "<p>No findings.</p>")
        w("</details>\n")
    w("</section>\n")


def _changed(item: StatusItem) -> str:
    parts = []
    words = item.changes.words() if item.changes is not None else ""
    if words:
        parts.append(escape(words))
    if item.outdated_fields:
        parts.append("outdated fields: " + escape(", ".join(item.outdated_fields)))
    if item.review:
        parts.append(f"{item.review} human segment{'s' if item.review != 1 else ''} to review")
    if not parts and item.content_stale:
        parts.append("the translatable content (no earlier version to compare)")
    return "; ".join(parts) or escape(item.reason or "")


def _baseline(item: StatusItem) -> str:
    """Since when the source changed, in the words of the baseline that judged it."""
    base = item.changes.baseline if item.changes is not None else None
    if base is None:
        return ""
    if base.kind == "date":
        return f"source dated {base.source_date}, translation {base.date}"
    if base.kind == "provenance" and not base.commit:
        return "since transync translated it"
    return since_of(item)


# --------------------------------------------------------------------------- the badge


def render_svg(report: StatusReport) -> str:
    """A small picture of completion per target language, for a README."""
    rows = [(lang, row.percent_complete) for lang, row in report.summary.items() if not (row.source and row.expected == 0)]
    row_h, label_w, bar_w = 18, 44, 120
    height = max(1, len(rows)) * row_h + 4
    width = label_w + bar_w + 52
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="Translation completion">',
           "<title>Translation completion: " + escape(", ".join(f"{lang} {pct:.1f}%" for lang, pct in rows)) + "</title>",
           f'<rect width="{width}" height="{height}" rx="3" fill="#24292f"/>']
    for n, (lang, pct) in enumerate(rows):
        y = 2 + n * row_h
        filled = bar_w * pct / 100
        out.append(f'<text x="6" y="{y + 13}" fill="#fff" font-family="Verdana,sans-serif" font-size="11">{escape(lang)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="10" fill="#57606a"/>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{filled:.1f}" height="10" fill="#2da44e"/>')
        out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 13}" fill="#fff" font-family="Verdana,sans-serif" font-size="11">{pct:.1f}%</text>')
    out.append("</svg>\n")
    return "\n".join(out)


# --------------------------------------------------------------------------- the folder


def write(report: StatusReport, out_dir: Path, *, checks: CheckReport | None = None, links: Links | None = None) -> list[Path]:
    """Write the page, ``status.json`` (as ``status --format json``) and ``summary.svg`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stream = io.StringIO()
    write_json(status_json(report, report.config.fail_on), stream)
    written = []
    for name, text in ((HTML_NAME, render_html(report, checks=checks, links=links)), (JSON_NAME, stream.getvalue()), (SVG_NAME, render_svg(report))):
        path = out_dir / name
        atomic_write(path, text)
        written.append(path)
    return written

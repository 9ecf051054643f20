"""Git history as evidence of staleness: the source as it was when a translation was last committed.

For a translation without provenance, the baseline is the source at the
translation's last commit that changed its content (renames are followed,
both for the translation and for the source). The translation is stale when
the source's translatable content differs between that baseline and now
(see :mod:`transync.site.changes`). Uncommitted edits count: the source is read
from disk, and a translation with uncommitted changes counts as updated now.

Git is asked as little as possible, each time by one process:
``git rev-parse`` (the repository, HEAD, whether it is shallow), ``git
status`` (what is uncommitted), and only when HEAD is not in the cache: one
``git log --name-status -M`` over the site's collections, one ``git
ls-tree`` of HEAD, one ``git cat-file --batch-check`` for the source's object
at each baseline, and one ``git cat-file --batch`` for the old sources that
differ from HEAD. ``git status``, and ``git log`` when the cache holds no plan
made at HEAD, run while the site is scanned. The result is cached by HEAD (outside the site, in
``SiteConfig.cache_dir``); the content of every blob read is cached by its
object id, so a new commit costs little.

No ``git`` on PATH, a site outside a work tree, or no commit yet: this module
stays silent and the caller falls back to dates. A shallow clone has no
history: :func:`open_history` says so in :attr:`History.note`.
"""

from __future__ import annotations

import datetime as _dt
import marshal
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

from transync import __version__
from transync.document.mdx import MD, MDX, syntax_of
from transync.site.changes import Baseline, Changes, Content, compare, paragraphs_of, try_content_of
from transync.site.lunaria import Directive, directive
from transync.fsutil import atomic_write

FORMAT = 4  # 2: keywords in the subject only, Lunaria directives; 3: contents by kind, paragraphs; 4: MDX read as MDX

SHALLOW_NOTE = (
    "this is a shallow git clone, which has no history: translations without provenance were judged by "
    "their front-matter date. Fetch the whole history (actions/checkout: fetch-depth: 0) to judge them by content."
)


class GitError(Exception):
    """git could not answer; the caller falls back to dates."""


_ENV_EXTRA = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _start(args: list[str], cwd: Path, stdin: int | None = None) -> subprocess.Popen:
    try:
        return subprocess.Popen(
            ["git", *args], cwd=cwd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **_ENV_EXTRA},
        )
    except OSError as exc:
        raise GitError(str(exc)) from None


def _finish(proc: subprocess.Popen, data: bytes | None = None) -> bytes:
    out, err = proc.communicate(data)
    if proc.returncode != 0:
        raise GitError(err.decode("utf-8", "replace").strip() or "git failed")
    return out


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> bytes:
    return _finish(_start(args, cwd, subprocess.PIPE if data is not None else subprocess.DEVNULL), data)


class Repo(NamedTuple):
    top: Path  # the work tree's top folder
    prefix: str  # the site root relative to it, "" or ending in "/"
    head: str
    shallow: bool


UNSAFE_NOTE = (
    "git refuses to read the repository at {top} (it belongs to another user): translations without "
    "provenance were judged by their front-matter date. To use its history: git config --global --add safe.directory {top}"
)


def find_repo(root: Path) -> Repo | str | None:
    """The git work tree holding ``root``; None (no git on PATH, not a repository, no commit yet),
    or a note to say when git refuses a repository that belongs to another user."""
    if shutil.which("git") is None:
        return None
    try:
        out = _git(["rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository", "--verify", "-q", "HEAD"], root)
    except GitError as exc:
        if "dubious ownership" in str(exc) or "safe.directory" in str(exc):
            return UNSAFE_NOTE.format(top=root)
        return None
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 4 or not lines[3]:
        return None
    return Repo(Path(lines[0]), lines[1], lines[3].strip(), lines[2].strip() == "true")


# --------------------------------------------------------------------------- the log


class Event(NamedTuple):
    idx: int  # the commit's position in the log, 0 = newest
    kind: str  # A, M, T, D, R (renamed here from ``other``), r (renamed away to ``other``)
    other: str | None
    similarity: int  # for renames: 100 means the content did not change


class Log:
    """One pass over the history of the site's collections: who touched which path, newest first."""

    def __init__(
        self, commits: list[tuple[str, int, bool]], events: dict[str, list[Event]],
        directives: dict[int, Directive] | None = None, prefix: str = "",
    ) -> None:
        self.commits = commits  # (sha, commit time, marked)
        self.events = events  # path (relative to the site) -> events, newest first
        self.directives = directives or {}  # commit index -> its @lunaria-track/@lunaria-ignore directive
        self.prefix = prefix  # the site's folder in the repository: directives name repository paths

    @staticmethod
    def args(pathspecs: Sequence[str]) -> list[str]:
        return ["-c", "diff.renameLimit=10000", "log", "-z", "-M", "--name-status", "--no-color",
                "--format=%x1e%H%x1f%ct%x1f%B", "HEAD", "--", *pathspecs]

    @classmethod
    def read(cls, repo: Repo, root: Path, pathspecs: Sequence[str], markers: Sequence[str], out: bytes | None = None) -> "Log":
        """The log of the site's collections; ``out``: git's answer to :meth:`args`, when already read."""
        if out is None:
            out = _git(cls.args(pathspecs), root)
        reader = _LogReader(repo.prefix, markers)
        reader.feed(out, True)
        return reader.log()

    def chain(self, path: str) -> list[tuple[Event, str]]:
        """The events of one file, newest first, with its name after each; renames followed back to its creation."""
        result: list[tuple[Event, str]] = []
        name, floor = path, -1
        seen = 0
        while True:
            for event in self.events.get(name, ()):
                if event.idx <= floor:
                    continue
                if event.kind in ("D", "r"):
                    return result  # another file of that name, older than the one followed
                result.append((event, name))
                if event.kind == "A":
                    return result
                if event.kind == "R":
                    name, floor = event.other, event.idx
                    seen += 1
                    break
            else:
                return result
            if seen > len(self.commits):
                return result  # a rename cycle in a damaged log: stop

    def marked(self, idx: int, path: str) -> bool:
        """Whether commit ``idx`` counts for nothing in the file then named ``path``: an ignored keyword
        in its subject, or a Lunaria directive in its body that leaves the file out."""
        if self.commits[idx][2]:
            return True
        found = self.directives.get(idx)
        return found is not None and not found.counts_for(self.prefix + path)

    def last_change(self, path: str) -> int | None:
        """The newest unmarked commit that changed this file's content (a pure rename does not)."""
        for event, name in self.chain(path):
            if event.kind == "R" and event.similarity == 100:
                continue
            if not self.marked(event.idx, name):
                return event.idx
        return None

    def baseline_of(self, source: str, idx: int) -> tuple[int, str] | None:
        """The commit and name of the source to compare with, for a translation last changed at ``idx``.

        The source as it was after commit ``idx``; changes made to it in later marked commits are
        taken as part of that baseline. None when the source did not exist then.
        """
        chain = self.chain(source)
        at = next(((e, n) for e, n in chain if e.idx >= idx), None)
        if at is None or at[0].kind in ("D", "r"):
            return None
        base, name = idx, at[1]
        for event, after in reversed([(e, n) for e, n in chain if e.idx < idx]):
            if event.kind == "R" and event.similarity == 100:
                base, name = event.idx, after
                continue
            if not self.marked(event.idx, after):
                break
            base, name = event.idx, after
        return base, name



class _LogReader:
    """The parse of git's log (:meth:`Log.args`) into a :class:`Log`, fed as git writes it."""

    def __init__(self, prefix: str, markers: Sequence[str]) -> None:
        self.prefix = prefix
        self.lowered = [m.lower() for m in markers]
        self.commits: list[tuple[str, int, bool]] = []
        self.events: dict[str, list[Event]] = {}
        self.directives: dict[int, Directive] = {}
        self._pending = bytearray()  # what is not read yet: before the first record, or a record maybe cut short

    def feed(self, data: bytes, last: bool = False) -> None:
        """Read the commits that ``data`` completes; ``last``: nothing follows it."""
        pending = self._pending
        pending += data
        # Each commit starts with \x1e: the last one may go on in the next data, unless none comes.
        cut = len(pending) if last else pending.rfind(b"\x1e")
        if cut <= 0:
            return
        records = bytes(pending[:cut]).split(b"\x1e")[1:]  # what precedes the first \x1e is no commit
        del pending[:cut]
        for record in records:
            # \x1e is no part of any UTF-8 sequence: commit by commit, the text is the same as all at once.
            self._commit(record.decode("utf-8", "surrogateescape"))

    def _commit(self, record: str) -> None:
        prefix, commits, events = self.prefix, self.commits, self.events
        header, _, changes = record.partition("\0")
        sha, ctime, message = header.split("\x1f", 2)
        idx = len(commits)
        # Keywords are looked for in the subject only: a squash merge's body lists every commit
        # of its branch ("* fix typo"), and would make a whole rewrite count for nothing.
        subject, _, body = message.partition("\n")
        subject = subject.lower()
        commits.append((sha, int(ctime), any(m in subject for m in self.lowered)))
        if "@" in body and (found := directive(body)) is not None:
            self.directives[idx] = found
        parts = changes.lstrip("\n").split("\0")
        k = 0
        while k < len(parts) and parts[k]:
            status = parts[k].lstrip("\n")
            kind = status[:1]
            if kind in "RC":
                old, new = _rel(parts[k + 1], prefix), _rel(parts[k + 2], prefix)
                k += 3
                similarity = int(status[1:] or 0)
                if kind == "C":
                    events.setdefault(new, []).append(Event(idx, "A", None, 0))
                    continue
                events.setdefault(new, []).append(Event(idx, "R", old, similarity))
                events.setdefault(old, []).append(Event(idx, "r", new, similarity))
            else:
                events.setdefault(_rel(parts[k + 1], prefix), []).append(Event(idx, kind, None, 0))
                k += 2

    def log(self) -> Log:
        return Log(self.commits, self.events, self.directives, self.prefix)


def _rel(path: str, prefix: str) -> str:
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _date(ctime: int) -> str:
    from transync.document import normalize_date

    return normalize_date(_dt.datetime.fromtimestamp(ctime, _dt.timezone.utc)) or ""


# --------------------------------------------------------------------------- judging pairs

#: The answer for a source that did not change since the baseline (shared: most pairs get it).
UNCHANGED = Changes(Baseline("git"), 0, 0, 0, 0, False, False, ())


class Pair(NamedTuple):
    """A translation and its source, as status pairs them."""

    translation: str  # path relative to the site root
    source: str
    fields: tuple[str, ...]  # the collection's content fields
    provenance_hash: str | None  # the source hash recorded by transync, if any
    source_hash: str = ""  # the source's content hash now (document.content_hash, as scanned)


# A plan entry: what HEAD says of one pair, independent of the work tree.
#   (source path, translation's HEAD oid, source's HEAD oid, baseline commit, its time, source oid at baseline);
# () when HEAD does not hold the translation; None when git has no baseline for it.
PlanEntry = tuple[str, str, str, str, int, str | None] | tuple[()] | None


@dataclass
class History:
    """Git evidence for one site at one HEAD."""

    repo: Repo | None
    root: Path
    cache_dir: Path | None = None
    markers: tuple[str, ...] = ()
    note: str | None = None  # said once in the summary (a shallow clone)
    _status: subprocess.Popen | None = None  # `git status`, running while the site is scanned
    _dirty: set[str] | None = None
    _plan: dict[str, PlanEntry] = field(default_factory=dict)
    _contents: dict[str, tuple | None] = field(default_factory=dict)
    _verdicts: dict[tuple[str, str, str], tuple] = field(default_factory=dict)
    _log: Log | None = None
    _changed: bool = False
    _contents_changed: bool = False
    _contents_loaded: bool = False
    _raw: dict[str, bytes] = field(default_factory=dict)  # blobs read this run, by object id
    _stamp_used: tuple = ()  # the cache stamp of the last judge()
    _wanted: dict[str, tuple[str, bytes, tuple[str, ...], str]] | None = None  # contents noted by _prepare's dry run
    _saved: tuple | None = None  # the plan cache, read when the history was opened
    _log_job: "_Background | None" = None  # `git log`, running while the site is scanned
    #: In the dry run: the source whose versions are being noted (its versions are worked out together).
    _family: str = ""
    _families: dict[str, str] = field(default_factory=dict)  # wanted key -> its family
    #: Translation contents the dry run notes in case the source's blocks changed: key -> (job, old key, new key).
    _wanted_if: dict[str, tuple[tuple, str, str]] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        if self._status is not None:
            self.dirty  # noqa: B018 - a failed `git status` makes the history unusable
        return self.repo is not None and not self.repo.shallow

    @property
    def dirty(self) -> set[str]:
        """Paths (relative to the site) whose work-tree or index version differs from HEAD."""
        if self._dirty is None:
            self._dirty = set()
            proc, self._status = self._status, None
            if proc is not None and self.repo is not None:
                try:
                    out = _finish(proc)
                except GitError:
                    self.repo = None
                    return self._dirty
                prefix = self.repo.prefix
                for entry in out.decode("utf-8", "surrogateescape").split("\0"):
                    if len(entry) > 3:
                        self._dirty.add(_rel(entry[3:], prefix))
        return self._dirty

    # ----------------------------------------------------------------- cache
    # Two files: the plan and verdicts (read on every run, small) and the contents of
    # blobs (large, read only when a verdict is missing).

    def _cache_path(self, kind: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"history-{kind}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"

    def _stamp(self, fields: Iterable[tuple[str, ...]]) -> tuple:
        return (FORMAT, __version__, self.repo.head if self.repo else "", self.markers, tuple(sorted(set(fields))))

    @staticmethod
    def _read(path: Path | None) -> tuple | None:
        if path is None:
            return None
        try:
            with open(path, "rb") as fh:
                data = marshal.loads(fh.read())
            return data if isinstance(data, tuple) and len(data) == 2 else None
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def _load(self, stamp: tuple) -> None:
        saved, self._saved = self._saved or self._read(self._cache_path("plan")), None
        if saved is None:
            return
        saved_stamp, (plan, verdicts) = saved
        if saved_stamp[:2] != stamp[:2] or saved_stamp[3:] != stamp[3:]:
            return
        # Verdicts are keyed by object ids: they hold at any HEAD; the plan only at its own.
        self._verdicts = verdicts
        if saved_stamp[2] == stamp[2]:
            self._plan = plan

    def _load_contents(self) -> None:
        if self._contents_loaded:
            return
        self._contents_loaded = True
        saved = self._read(self._cache_path("blobs"))
        if saved is not None and saved[0] == (FORMAT, __version__):
            saved[1].update(self._contents)
            self._contents = saved[1]

    def _save(self, stamp: tuple) -> None:
        try:
            if self._changed and (path := self._cache_path("plan")) is not None:
                atomic_write(path, marshal.dumps((stamp, (self._plan, self._verdicts))))
            if self._contents_changed and (path := self._cache_path("blobs")) is not None:
                self._load_contents()
                atomic_write(path, marshal.dumps(((FORMAT, __version__), self._contents)))
        except (OSError, ValueError):
            pass  # a read-only cache folder only makes the next run slower

    # ----------------------------------------------------------------- planning

    def _plan_pairs(self, pairs: list[Pair], pathspecs: Sequence[str]) -> None:
        """Baselines of the pairs the cache does not know: one log pass, one ls-tree, one batch-check."""
        repo = self.repo
        assert repo is not None
        if self._log is None:
            job, self._log_job = self._log_job, None
            if job is not None and job.pathspecs == tuple(pathspecs):
                self._log = job.result()
            else:
                self._log = Log.read(repo, self.root, pathspecs, self.markers)
        log = self._log
        tree = self._tree(pathspecs)
        queries: list[tuple[str, str]] = []  # (translation, "sha:path")
        partial: dict[str, tuple] = {}
        for pair in pairs:
            tr_oid, src_oid = tree.get(pair.translation), tree.get(pair.source)
            if tr_oid is None:
                self._plan[pair.translation] = ()  # not committed: a new translation, updated now
                continue
            idx = log.last_change(pair.translation)
            base = log.baseline_of(pair.source, idx) if idx is not None and src_oid else None
            if base is None:
                self._plan[pair.translation] = None
                continue
            sha, ctime, _ = log.commits[idx]
            base_sha = log.commits[base[0]][0]
            partial[pair.translation] = (pair.source, tr_oid, src_oid, sha, ctime)
            queries.append((pair.translation, f"{base_sha}:{repo.prefix}{base[1]}"))
        oids = self._batch_check([q for _, q in queries])
        for (translation, _), oid in zip(queries, oids):
            self._plan[translation] = (*partial[translation], oid)
        self._changed = True

    def _tree(self, pathspecs: Sequence[str]) -> dict[str, str]:
        out = _git(["ls-tree", "-r", "-z", "--full-name", "HEAD", "--", *pathspecs], self.root)
        tree = {}
        prefix = self.repo.prefix
        for entry in out.decode("utf-8", "surrogateescape").split("\0"):
            if entry:
                meta, _, path = entry.partition("\t")
                tree[_rel(path, prefix)] = meta.split()[2]
        return tree

    def _batch_check(self, names: list[str]) -> list[str | None]:
        if not names:
            return []
        data = "".join(n + "\n" for n in names).encode("utf-8", "surrogateescape")
        out = _git(["cat-file", "--batch-check"], self.root, data).decode("utf-8", "surrogateescape").split("\n")
        result = []
        for line in out[: len(names)]:
            parts = line.split(" ")
            result.append(parts[0] if len(parts) == 3 and parts[1] == "blob" else None)
        return result

    def _read_blobs(self, oids: Iterable[str]) -> dict[str, bytes]:
        wanted = sorted(set(oids))
        if not wanted:
            return {}
        out = _git(["cat-file", "--batch"], self.root, "".join(o + "\n" for o in wanted).encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for oid in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split(b" ")
            pos = end + 1
            if len(header) != 3:
                continue
            size = int(header[2])
            blobs[oid] = out[pos : pos + size]
            pos += size + 1
        return blobs

    # ----------------------------------------------------------------- contents

    def _blob(self, oid: str, data: bytes | None) -> bytes | None:
        if data is None:
            data = self._raw.get(oid)
        if data is None:
            data = self._raw[oid] = self._read_blobs([oid]).get(oid)  # type: ignore[assignment]
        return data

    def _hash(self, oid: str, fields: tuple[str, ...]) -> str | None:
        """The content hash of a blob: cheap (no segmenting), enough to tell that nothing changed."""
        key = f"h:{oid}:{','.join(fields)}"
        if key not in self._contents:
            self._load_contents()
        if key not in self._contents:
            from transync import document
            from transync.errors import DocumentError

            data = self._blob(oid, None)
            try:
                doc = document.parse(data) if data is not None else None
                value = document.content_hash(doc.meta, doc.body, fields) if doc else None
            except DocumentError:
                value = None
            self._contents[key] = value  # type: ignore[assignment]
            self._contents_changed = True
        return self._contents[key]  # type: ignore[return-value]

    def _content(self, oid: str, fields: tuple[str, ...], data: bytes | None = None, kind: str = "c", syntax: str = MD) -> Content | None:
        """The content of a blob (``kind``: see :func:`_analyse`) written in ``syntax`` (a blob has no
        name: the syntax is its path's), cached by object id; while :meth:`_prepare` collects, a
        content not known yet is noted and :data:`_PENDING` returned."""
        key = _key(oid, fields, kind, syntax)
        if key not in self._contents:
            self._load_contents()
        if key not in self._contents:
            data = self._blob(oid, data)
            if self._wanted is not None and data is not None:
                self._wanted[key] = (kind, data, fields, syntax)
                self._families.setdefault(key, self._family)
                return _PENDING  # type: ignore[return-value]
            [self._contents[key]] = _analyse([(kind, data, fields, syntax)]) if data is not None else [None]
            self._contents_changed = True
        saved = self._contents[key]
        return Content(*saved) if saved is not None else None

    def _disk(self, rel: str, fields: tuple[str, ...], kind: str = "c") -> Content | None:
        try:
            data = (self.root / rel).read_bytes()
        except OSError:
            return None
        [saved] = _analyse([(kind, data, fields, syntax_of(rel))])
        return Content(*saved) if saved is not None else None

    def _prepare(self, pairs: list[Pair]) -> None:
        """Work out, in worker processes, every content that judging the pairs will ask for.

        Judging is run dry: each content it asks for and the cache lacks is noted instead of
        computed; the notes are computed together, and the dry run goes again for what those
        answers lead to (a translation's blocks, once the source's math or code changed).
        """
        for _ in range(4):
            self._wanted, self._families, self._wanted_if = {}, {}, {}
            try:
                for pair in pairs:
                    self._family = pair.source
                    try:
                        self._judge_one(pair)
                    except _Later:
                        pass
            finally:
                wanted, self._wanted = self._wanted, None
            if not wanted:
                return
            # A source's versions go to one worker together: they share most paragraphs, whose
            # inline reading is cached there; the translations whose blocks decide go along.
            families: dict[str, tuple[list, list]] = {}
            for key, job in wanted.items():
                families.setdefault(self._families[key], ([], []))[0].append((key, job))
            for key, (job, old_key, new_key) in self._wanted_if.items():
                if key not in wanted and key not in self._contents and old_key in wanted and new_key in wanted:
                    family = self._families[old_key]
                    if self._families[new_key] == family:
                        families[family][1].append((key, job, old_key, new_key))
            self._contents.update(_analyse_many(list(families.values())))
            self._contents_changed = True

    # ----------------------------------------------------------------- judging

    @classmethod
    def of_site(cls, config) -> "History":
        """The history of a configured site (see :func:`open_history`)."""
        return open_history(
            config.root, cache_dir=config.cache_dir if config.cache else None,
            markers=config.ignored_keywords, pathspecs=config.pathspecs,
        )

    def judge(self, pairs: list[Pair], pathspecs: Sequence[str]) -> dict[str, Changes | None]:
        """For each translation: what changed in its source since the git baseline; None: no git evidence.

        A translation whose source did not change (or changed in nothing a translator follows)
        gets a :class:`Changes` whose ``stale`` is false.
        """
        if not self.usable or not pairs:
            return {}
        stamp = self._stamp_used = self._stamp(p.fields for p in pairs)
        self._load(stamp)
        todo = [p for p in pairs if p.translation not in self._plan or (self._plan[p.translation] or (p.source,))[0] != p.source]
        try:
            return self._judge_all(pairs, todo, pathspecs, stamp)
        except (GitError, ValueError, IndexError) as exc:
            # git failed or said something unexpected: the dates decide, and the report says why.
            self.repo = None
            first = (str(exc).splitlines() or ["?"])[0][:200]
            self.note = f"git history could not be read ({first}): translations without provenance were judged by their front-matter date"
            return {}

    def _judge_all(self, pairs: list[Pair], todo: list[Pair], pathspecs: Sequence[str], stamp: tuple) -> dict[str, Changes | None]:
        if todo:
            if self._log is None and self._log_job is not None and len(pairs) >= PARALLEL_PAIRS:
                # Planning waits for git's log, and the old versions it finds are then read in
                # worker processes: their parsers are built meanwhile, in the time that waiting costs.
                from transync.site import changes

                changes.prepare()
            self._plan_pairs(todo, pathspecs)
        # Old sources to read: those that differ from HEAD or from the disk, and are not cached yet.
        need = []
        for pair in pairs:
            entry = self._plan.get(pair.translation)
            if not entry or pair.translation in self.dirty:
                continue
            old_oid = entry[5]
            if old_oid and (old_oid != entry[2] or pair.source in self.dirty or pair.provenance_hash):
                key = (old_oid, "" if pair.source in self.dirty else entry[2], entry[1])
                if pair.provenance_hash or pair.source in self.dirty or key not in self._verdicts:
                    self._load_contents()
                    if f"h:{old_oid}:{','.join(pair.fields)}" not in self._contents:
                        need.append(old_oid)
        self._raw.update(self._read_blobs(need))
        if len(pairs) >= PARALLEL_PAIRS:
            self._prepare(pairs)

        result: dict[str, Changes | None] = {}
        for pair in pairs:
            result[pair.translation] = self._judge_one(pair)
        self._save(stamp)
        return result

    def _judge_one(self, pair: Pair) -> Changes | None:
        entry = self._plan.get(pair.translation)
        by_provenance = pair.provenance_hash is not None
        if pair.translation in self.dirty or entry == ():
            # Updated now (changed or never committed): its baseline is the source as it is on disk.
            return None if by_provenance else UNCHANGED
        if entry is None or entry[5] is None:
            return None
        _, tr_oid, src_oid, sha, ctime, old_oid = entry
        source_dirty = pair.source in self.dirty
        if old_oid == src_oid and not source_dirty and not by_provenance:
            return UNCHANGED
        key = (old_oid, "" if source_dirty else src_oid, tr_oid)
        old_hash = self._hash(old_oid, pair.fields) if (by_provenance or key not in self._verdicts) else None
        if by_provenance:
            # Git knows what was translated only when the source then is the one provenance records.
            if old_hash != pair.provenance_hash:
                return None
        elif old_hash is not None and old_hash == pair.source_hash:
            # Only kept fields, the date or trailing blank lines changed: nothing to segment.
            if not source_dirty:
                self._verdicts[key] = UNCHANGED.as_tuple()[1:]
                self._changed = True
            return UNCHANGED
        baseline = Baseline("provenance" if by_provenance else "git", sha, _date(ctime))
        if not source_dirty and key in self._verdicts:
            return Changes.from_tuple((baseline.as_tuple(), *self._verdicts[key]))
        syntax = syntax_of(pair.source)
        old = self._content(old_oid, pair.fields, syntax=syntax)
        if source_dirty:
            new = self._disk(pair.source, pair.fields)
        else:
            new = self._content(src_oid, pair.fields, self._disk_bytes(pair.source), syntax=syntax)
        if old is _PENDING or new is _PENDING:
            if self._wanted is not None and old is _PENDING and new is _PENDING:
                # Worked out beside them, should the source's blocks turn out to have changed.
                tr_syntax = syntax_of(pair.translation)
                data = self._disk_bytes(pair.translation)
                if data is not None:
                    self._wanted_if[_key(tr_oid, pair.fields, "b", tr_syntax)] = (
                        ("b", data, pair.fields, tr_syntax), _key(old_oid, pair.fields, "c", syntax),
                        _key(src_oid, pair.fields, "c", syntax),
                    )
            raise _Later
        if old is None or new is None:
            # A version that cannot be segmented (an unclosed fence, MDX the segmenter refuses):
            # both compared by paragraphs, so that a changed text is still seen.
            old = self._content(old_oid, pair.fields, kind="p")
            if source_dirty:
                new = self._disk(pair.source, pair.fields, kind="p")
            else:
                new = self._content(src_oid, pair.fields, self._disk_bytes(pair.source), kind="p")
            if old is _PENDING or new is _PENDING:
                raise _Later
            if old is None or new is None:
                return None  # not even the front matter can be read: dates decide
        changes = compare(old, new, None, baseline)
        if _blocks_decide(changes):
            # Only then does it matter whether the translation already carries the new blocks.
            translation = self._content(tr_oid, pair.fields, self._disk_bytes(pair.translation), kind="b", syntax=syntax_of(pair.translation))
            if translation is _PENDING:
                raise _Later
            changes = compare(old, new, translation, baseline)
        if not source_dirty:
            self._verdicts[key] = changes.as_tuple()[1:]
            self._changed = True
        return changes

    def fields_then(self, pairs: list[Pair], stamp: str, extract: Callable[[bytes], tuple | None]) -> dict[str, tuple | None]:
        """``extract(the source's bytes at the git baseline)`` for each translation whose source
        changed since its baseline; translations whose source is as it was are left out.

        For what is not translated but must follow the source (kept and derived front-matter
        fields): ``extract`` gives their values, cached by blob and ``stamp`` (the field rules)
        beside the verdicts, so that a warm run reads no blob. Call after :meth:`judge`.
        """
        if not self.usable:
            return {}
        todo = []
        for pair in pairs:
            entry = self._plan.get(pair.translation)
            if not entry or pair.translation in self.dirty or entry[5] is None:
                continue  # updated now, or no baseline: nothing to follow
            old_oid, src_oid = entry[5], entry[2]
            if old_oid == src_oid and pair.source not in self.dirty:
                continue
            todo.append((pair.translation, ("f", old_oid, stamp), old_oid))
        need = [oid for _, key, oid in todo if key not in self._verdicts and oid not in self._raw]
        if need:
            try:
                self._raw.update(self._read_blobs(need))
            except (GitError, ValueError, IndexError):
                return {}
        out: dict[str, tuple | None] = {}
        for translation, key, oid in todo:
            if key not in self._verdicts:
                data = self._raw.get(oid)
                self._verdicts[key] = extract(data) if data is not None else None  # type: ignore[assignment]
                self._changed = True
            out[translation] = self._verdicts[key]
        if self._changed:
            self._save(self._stamp_used)
        return out

    def source_then(self, pair: Pair, pathspecs: Sequence[str]) -> tuple[bytes, Baseline] | None:
        """The source's bytes as they were at the translation's git baseline, or None (no git evidence).

        A translation with uncommitted changes (or never committed) was updated now: its
        baseline is the source as it is on disk.
        """
        if not self.usable:
            return None
        stamp = self._stamp([pair.fields])
        self._load(stamp)
        if pair.translation not in self._plan or (self._plan[pair.translation] or (pair.source,))[0] != pair.source:
            try:
                self._plan_pairs([pair], pathspecs)
            except (GitError, ValueError, IndexError):
                return None
        entry = self._plan.get(pair.translation)
        if pair.translation in self.dirty or entry == ():
            data = self._disk_bytes(pair.source)
            return (data, Baseline("git")) if data is not None else None
        if entry is None or entry[5] is None:
            return None
        data = self._blob(entry[5], None)
        return (data, Baseline("git", entry[3], _date(entry[4]))) if data is not None else None

    def _disk_bytes(self, rel: str) -> bytes | None:
        # A clean file on disk is its HEAD blob: read it there rather than from git.
        try:
            return (self.root / rel).read_bytes()
        except OSError:
            return None


#: From this many pairs on, the contents to compare are worked out together (:meth:`History._prepare`),
#: in worker processes from PARALLEL_CONTENTS contents on.
PARALLEL_PAIRS = 200
PARALLEL_CONTENTS = 32


class _Later(Exception):
    """Raised in :meth:`History._prepare`'s dry run: a content this pair needs is being collected."""


_PENDING = Content((), (), (), (), "pending")  # what _content answers for a content it has noted


def _analyse(jobs: list[tuple[str, bytes, tuple[str, ...], str]], bodies: dict | None = None) -> list[tuple | None]:
    """The content of each ``(kind, bytes, fields, syntax)`` as plain data (None: cannot be read).
    ``kind``: ``c`` everything, ``b`` the math and code blocks only (a translation), ``p`` by
    paragraphs (for a version that cannot be segmented). ``bodies``: see changes.content_of."""
    out: list[tuple | None] = []
    for kind, data, fields, syntax in jobs:
        content = paragraphs_of(data, fields) if kind == "p" else try_content_of(data, fields, prose=kind == "c", syntax=syntax, bodies=bodies)
        out.append(content.as_tuple() if content is not None else None)
    return out


def _key(oid: str, fields: tuple[str, ...], kind: str, syntax: str) -> str:
    """The cache key of a blob's content (``kind``: see :func:`_analyse`)."""
    key = f"{oid}:{','.join(fields)}" if kind == "c" else f"{kind}:{oid}:{','.join(fields)}"
    if syntax == MDX and kind != "p":  # paragraphs are read alike in both
        key = f"{key}:{MDX}"
    return key


def _blocks_decide(changes: Changes) -> bool:
    """Whether the source's change is one that the translation may already carry (its math,
    code or MDX structure): only then is the translation read."""
    return bool(changes.math or changes.code or changes.components)


Family = tuple[list[tuple[str, tuple]], list[tuple[str, tuple, str, str]]]


def _analyse_families(families: list[Family]) -> dict[str, tuple | None]:
    """The contents of each family's jobs ``(key, job)`` (see :func:`_analyse`), then of its
    conditional jobs ``(key, job, old key, new key)``: a translation's blocks, worked out only
    when the source's blocks changed from the old version to the new one."""
    out: dict[str, tuple | None] = {}
    for jobs, conditional in families:
        # A page's versions often differ in their front matter alone: each body is read once.
        out.update(zip([k for k, _ in jobs], _analyse([j for _, j in jobs], {})))
        for key, job, old_key, new_key in conditional:
            old, new = out.get(old_key), out.get(new_key)
            if old is not None and new is not None and _blocks_decide(compare(Content(*old), Content(*new), None, Baseline("git"))):
                [out[key]] = _analyse([job])
    return out


def _analyse_each(families: list[Family]) -> list[dict[str, tuple | None]]:
    return [_analyse_families([family]) for family in families]


def _analyse_many(families: list[Family]) -> dict[str, tuple | None]:
    """:func:`_analyse_families` over worker processes when there is enough work (parsing Markdown is CPU work)."""
    from transync.site import changes
    from transync.site.workers import chunked_map

    if sum(len(f[0]) for f in families) < PARALLEL_CONTENTS:
        return _analyse_families(families)
    changes.prepare()  # before the workers fork: each of them has the parsers ready
    out: dict[str, tuple | None] = {}
    # Dealt largest first: chunks of about equal work.
    for part in chunked_map(_analyse_each, families, weight=lambda f: sum(len(job[1]) for _, job in f[0])):
        out.update(part)
    return out


def open_history(root: Path, *, cache_dir: Path | None = None, markers: Sequence[str] = (), pathspecs: Sequence[str] = ()) -> History:
    """Git evidence for the site at ``root``: usable, shallow (with a note), or absent.

    ``git status`` goes on in the background until the history is first used: open it
    before scanning the site and the two overlap.
    """
    repo = find_repo(root)
    if isinstance(repo, str):
        return History(None, root, cache_dir, tuple(markers), note=repo)
    history = History(repo, root, cache_dir, tuple(markers))
    if repo is None:
        return history
    if repo.shallow:
        history.note = SHALLOW_NOTE
        return history
    try:
        # Untracked files are not listed (that walk costs as much as the rest): a translation
        # that HEAD does not hold is new, hence updated now; a source HEAD does not hold has no baseline.
        history._status = _start(
            ["status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames", "--", *pathspecs], root, subprocess.DEVNULL
        )
    except GitError:
        history.repo = None
        return history
    # Without a plan made at this HEAD, judging starts with the log: git writes it meanwhile.
    history._saved = saved = history._read(history._cache_path("plan"))
    if saved is None or not isinstance(saved[0], tuple) or saved[0][:3] != (FORMAT, __version__, repo.head):
        history._log_job = _Background(tuple(pathspecs), Log.args(pathspecs), root, _LogReader(repo.prefix, history.markers))
    return history


class _Background:
    """``git log`` (:meth:`Log.args`) run while the site is scanned, its output read by a thread
    (a pipe left unread would stop git) and parsed as it comes: when git is done, so is the parse."""

    def __init__(self, pathspecs: tuple[str, ...], args: list[str], cwd: Path, reader: _LogReader) -> None:
        import threading

        self.pathspecs = pathspecs
        self._reader = reader
        self._error: Exception | None = None
        try:
            proc = _start(args, cwd, subprocess.DEVNULL)
        except GitError as exc:
            self._error, self._thread = exc, None
            return
        self._thread = threading.Thread(target=self._run, args=(proc,), daemon=True)
        self._thread.start()

    def _run(self, proc: subprocess.Popen) -> None:
        import threading

        err: list[bytes] = []
        # git's errors are read meanwhile: a pipe left full would stop git.
        drain = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
        drain.start()
        failed: Exception | None = None  # raised when the result is asked for, as Log.read would
        try:
            while chunk := proc.stdout.read1(1 << 16):  # type: ignore[union-attr]
                if failed is None:
                    try:
                        self._reader.feed(chunk)
                    except Exception as exc:  # noqa: BLE001  # git is still read to its end
                        failed = exc
            if failed is None:
                try:
                    self._reader.feed(b"", True)
                except Exception as exc:  # noqa: BLE001
                    failed = exc
        finally:
            proc.stdout.close()  # type: ignore[union-attr]
            drain.join()
            proc.wait()
        if proc.returncode != 0:
            self._error = GitError(b"".join(err).decode("utf-8", "replace").strip() or "git failed")
        else:
            self._error = failed

    def result(self) -> Log:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._reader.log()


# --------------------------------------------------------------------------- what a branch touches


def changed_paths(root: Path, rev: str) -> list[str]:
    """The site paths (relative to ``root``, POSIX) that the branch touches since ``rev``: what
    ``git diff rev...HEAD`` names, plus uncommitted and untracked files, sorted.

    Used as a command's PATHS (``--changed-from``): a changed source selects its translations,
    a changed translation itself. Raises :class:`UsageError` (exit 2) when ``root`` is not in a
    git work tree or ``rev`` names no commit.
    """
    from transync.errors import UsageError

    if shutil.which("git") is None:
        raise UsageError("--changed-from: git is not installed")
    try:
        _git(["rev-parse", "--verify", "-q", "HEAD"], root)
    except GitError:
        raise UsageError(f"--changed-from: {root} is not in a git repository with a commit") from None
    try:
        _git(["rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"], root)
    except GitError:
        raise UsageError(f"--changed-from {rev}: no such commit (fetch it: actions/checkout with fetch-depth: 0)") from None
    # --relative: paths relative to the site root, and only those below it
    try:
        outputs = [
            _git(["diff", "--relative", "--name-only", "-z", "--no-renames", f"{rev}...HEAD", "--"], root),
            _git(["diff", "--relative", "--name-only", "-z", "--no-renames", "HEAD", "--"], root),
            _git(["ls-files", "-z", "--others", "--exclude-standard", "--", "."], root),
        ]
    except GitError as exc:  # e.g. no merge base with REV
        first = str(exc).splitlines()[0] if str(exc) else "git failed"
        raise UsageError(f"--changed-from {rev}: {first}") from None
    found = {p for out in outputs for p in out.decode("utf-8", "surrogateescape").split("\0") if p}
    return sorted(found)

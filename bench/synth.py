"""Synthetic corpus for the benchmarks: realistic issues recombined from real ones.

Run: ``python bench/synth.py N OUTDIR [--seed S] [--offset K] [--weekly-share F]``.

Each synthetic issue ``i`` (``K <= i < K + N``) is a pure function of ``(seed, i)``, so the
same command always writes the same bytes, and ``--offset`` makes more issues of the same
series (``synth.py 1 extra --offset 10000`` is the 10,001st issue of a 10,000-issue corpus).

- Weekly issues (``cloud-native-weekly-vol-<n>.txt``, weekly-text format) recombine the
  items of the seed (corpus/cloud-native-weekly-vol-17.txt): news, upstream bullets per
  project, recommended projects and reading, renumbered, with authors and editor drawn
  from a pool, a date line, and ``Vol. n`` unique (n = i + 1).
- LWKD issues (``<date>-update.md``, lwkd-markdown format) take the heading outline of a
  random real issue under ../shared/corpus/lwkd and fill each section with paragraphs and
  bullets drawn from the same heading across all real issues.  The front matter stays
  valid Jekyll (layout, title ``Week Ending …``, date, slug); the date, hence the slug and
  the issue number, is unique (one day per index).
- In both, project names are swapped among :data:`PROJECTS` (per issue, a random
  mapping; lower-case forms in URLs and paths follow) and dates in the text (ISO dates,
  ``/yyyy/mm/dd/`` in URLs) are shifted by as much as the issue's own date moved.

Issue ``i`` is dated ``BASE + i`` days, so up to ~10,000 issues stay in the past.
Series are mixed at random with ``--weekly-share`` (default 0.2: the weekly's ~100
issues against LWKD's ~380, roughly).  When ../shared is absent, every issue is a weekly
one recombined from the seed (a message says so).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_ISSUE = ROOT / "corpus" / "cloud-native-weekly-vol-17.txt"
SHARED = ROOT.parent / "shared"
BASE = dt.date(1998, 1, 4)

# Project names swapped among each other (CNCF and neighbours named by the seed corpora).
# Kubernetes and its own components (kubelet, kubectl, kubeadm, …) are never swapped: LWKD is about them.
PROJECTS = [
    "Helm",
    "Cilium",
    "etcd",
    "Knative",
    "Istio",
    "Envoy",
    "Prometheus",
    "Grafana",
    "Kubeflow",
    "containerd",
    "CoreDNS",
    "Linkerd",
    "Fluentd",
    "Jaeger",
    "Vitess",
    "TiKV",
    "Rook",
    "Falco",
    "OpenTelemetry",
    "Thanos",
    "Cortex",
    "KubeEdge",
    "Dapr",
    "Crossplane",
    "Kyverno",
    "Longhorn",
    "Backstage",
    "gRPC",
    "NATS",
    "Contour",
    "Dragonfly",
    "Volcano",
    "OpenKruise",
    "microk8s",
    "kpack",
    "qlkube",
    "kube-fzf",
    "CRI-O",
    "Kata Containers",
    "gVisor",
]

AUTHORS = [
    "墨封",
    "衷源",
    "元毅",
    "有济",
    "心水",
    "木环",
    "张磊",
    "孙健波",
    "李响",
    "王夏",
    "陈俊",
    "刘中巍",
    "周琦",
    "徐迪",
    "黄珂",
    "邓隽",
]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# --------------------------------------------------------------------------- text substitutions

_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d\d)/(\d\d)(?=/|$|[^\d])")


def shift_dates(text: str, delta: dt.timedelta) -> str:
    """Move ISO dates and ``/yyyy/mm/dd`` URL parts by ``delta`` (invalid dates are left alone)."""

    def iso(m: re.Match[str]) -> str:
        try:
            return (dt.date(int(m[1]), int(m[2]), int(m[3])) + delta).isoformat()
        except ValueError:
            return m[0]

    def url(m: re.Match[str]) -> str:
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3])) + delta
        except ValueError:
            return m[0]
        return f"/{day.year:04d}/{day.month:02d}/{day.day:02d}"

    return _URL_DATE.sub(url, _ISO.sub(iso, text))


def swap_projects(text: str, rng: random.Random, share: float = 0.6) -> str:
    """Replace each project of :data:`PROJECTS` named in ``text``, with probability ``share``, by another one."""
    present = [p for p in PROJECTS if p.lower() in text.lower()]
    mapping: dict[str, str] = {}
    for name in present:
        if rng.random() >= share:
            continue
        other = rng.choice([p for p in PROJECTS if p != name])
        mapping[name] = other
        mapping.setdefault(name.lower(), other.lower())
        mapping.setdefault(name.lower().replace(" ", "-"), other.lower().replace(" ", "-"))
    if not mapping:
        return text
    keys = sorted(mapping, key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(k) for k in keys) + r")(?![A-Za-z0-9])")
    return pattern.sub(lambda m: mapping[m[1]], text)


# --------------------------------------------------------------------------- the weekly (text)

_WEEKLY_SECTIONS = ("业界要闻", "上游重要进展", "开源项目推荐", "本周阅读推荐")
_NUMBERED = re.compile(r"^\d{1,2}\s*[.、]\s*")
_PROJECT_LINE = re.compile(r"^[A-Za-z][\w.-]*$")
_SUBSECTION = re.compile(r"^(?:\S+ 项目|\d+\.\s*其他更新)$")


@dataclass
class WeeklySeed:
    news: list[str] = field(default_factory=list)  # numbered items, number stripped, with continuation lines
    upstream: list[tuple[str, list[str]]] = field(default_factory=list)  # (subsection heading, bullets)
    projects: list[str] = field(default_factory=list)  # blocks starting with the project's name line
    reading: list[str] = field(default_factory=list)  # numbered items, number stripped
    tail: list[str] = field(default_factory=list)  # 名词解释 … to the end, verbatim
    date: dt.date = dt.date(2019, 8, 20)


def parse_weekly(text: str) -> WeeklySeed:
    seed = WeeklySeed()
    section = None
    for line in text.splitlines()[2:]:
        stripped = line.strip()
        if section is not None and stripped.startswith("名词解释"):
            section = "tail"
        if section == "tail":
            seed.tail.append(line)
        elif stripped in _WEEKLY_SECTIONS:
            section = stripped
        elif section in ("业界要闻", "本周阅读推荐"):
            items = seed.news if section == "业界要闻" else seed.reading
            if _NUMBERED.match(stripped):
                items.append(_NUMBERED.sub("", stripped, count=1))
            elif items:
                items[-1] += "\n" + line
        elif section == "上游重要进展":
            if _SUBSECTION.match(stripped):
                seed.upstream.append((_NUMBERED.sub("", stripped, count=1), []))
            elif seed.upstream and stripped.startswith("- "):
                seed.upstream[-1][1].append(line)
            elif seed.upstream and seed.upstream[-1][1]:
                seed.upstream[-1][1][-1] += "\n" + line
        elif section == "开源项目推荐":
            if _PROJECT_LINE.match(stripped):
                seed.projects.append(line)
            elif seed.projects:
                seed.projects[-1] += "\n" + line
    for m in _URL_DATE.finditer(text):  # the seed's date: the latest date in its links
        try:
            seed.date = max(seed.date, dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            pass
    return seed


def _sample(rng: random.Random, pool: list[str], low: int, high: int) -> list[str]:
    k = rng.randint(low, high)
    out = rng.sample(pool, min(k, len(pool)))
    while len(out) < k:  # with replacement beyond the pool's size (names are swapped, so they differ)
        out.append(rng.choice(pool))
    return out


def weekly_issue(seed: WeeklySeed, volume: int, date: dt.date, rng: random.Random) -> str:
    news = _sample(rng, seed.news, 2, len(seed.news))
    first_title = news[0].splitlines()[0]
    authors = rng.sample(AUTHORS, rng.randint(3, 6))
    editor = rng.choice([a for a in AUTHORS if a not in authors])
    out = [f"云原生生态周报 Vol. {volume} | {first_title}", "本周作者 | " + "、".join(authors)]
    out.append(f"{date.year}年{date.month}月{date.day}日")
    out.append("业界要闻")
    out += [f"{n}. {item}" for n, item in enumerate(news, 1)]
    out.append("上游重要进展")
    groups = rng.sample(seed.upstream, rng.randint(max(1, len(seed.upstream) - 1), len(seed.upstream)))
    for name, bullets in groups:
        out.append(name)
        out += _sample(rng, bullets, max(1, len(bullets) - 2), len(bullets))
    out.append("开源项目推荐")
    out += _sample(rng, seed.projects, 2, len(seed.projects))
    out.append("本周阅读推荐")
    out += [f"{n}. {item}" for n, item in enumerate(_sample(rng, seed.reading, 3, len(seed.reading)), 1)]
    tail = "\n".join(seed.tail)
    tail = re.sub(r"本周作者[:：].*", "本周作者:" + ",".join(authors), tail)
    tail = re.sub(r"责任编辑[:：].*", "责任编辑:" + editor, tail)
    text = "\n".join(out) + "\n" + tail + "\n"
    return swap_projects(shift_dates(text, date - seed.date), rng)


# --------------------------------------------------------------------------- LWKD (markdown)

_ATX = re.compile(r"^#{2,3}\s+(.+?)\s*#*$")
_UNDERLINE = re.compile(r"^(?:-{3,}|={3,})\s*$")
_BULLET = re.compile(r"^[*-]\s+")


@dataclass
class LwkdSection:
    heading: str  # as written ("## Developer News" or the setext pair)
    key: str  # normalised heading text, the pool's key
    groups: list[tuple[str, list[str]]]  # ("para", [text]) or ("list", [bullet, …])


@dataclass
class LwkdIssue:
    front: dict[str, str]
    intro: str
    sections: list[LwkdSection]
    date: dt.date


def _split_front(text: str) -> tuple[dict[str, str], str]:
    front: dict[str, str] = {}
    if not text.startswith("---"):
        return front, text
    end = text.find("\n---", 3)
    if end < 0:
        return front, text
    for line in text[3:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            front[key.strip()] = value.strip()
    return front, text[end + 4 :].lstrip("\n")


def _groups(lines: list[str]) -> list[tuple[str, list[str]]]:
    groups: list[tuple[str, list[str]]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            groups.append(("para", ["\n".join(paragraph)]))
            paragraph.clear()

    in_list = False
    for line in lines:
        if not line.strip():
            flush()
            in_list = False
            continue
        if _BULLET.match(line):
            flush()
            if not in_list:
                groups.append(("list", []))
                in_list = True
            groups[-1][1].append(line)
        elif in_list:  # a continuation or nested bullet
            groups[-1][1][-1] += "\n" + line
        else:
            paragraph.append(line)
    flush()
    return [g for g in groups if g[1]]


def parse_lwkd(path: Path) -> LwkdIssue:
    front, body = _split_front(path.read_text(encoding="utf-8"))
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", path.name)
    date = dt.date(int(m[1]), int(m[2]), int(m[3])) if m else BASE
    lines = body.splitlines()
    intro: list[str] = []
    raw: list[tuple[str, str, list[str]]] = []  # (heading as written, key, body lines)
    current = intro
    i = 0
    while i < len(lines):
        line = lines[i]
        atx = _ATX.match(line)
        setext = (
            bool(line.strip()) and i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]) and not _BULLET.match(line)
        )
        if atx or setext:
            title = atx[1] if atx else line.strip()
            current = []
            raw.append((line if atx else line + "\n" + lines[i + 1], title.lower().strip(" :"), current))
            i += 1 if atx else 2
            continue
        current.append(line)
        i += 1
    sections = [LwkdSection(heading, key, _groups(body_lines)) for heading, key, body_lines in raw]
    return LwkdIssue(front, "\n".join(intro).strip(), sections, date)


@dataclass
class LwkdPool:
    issues: list[LwkdIssue]
    paras: dict[str, list[str]] = field(default_factory=dict)
    bullets: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> LwkdPool:
        pool = cls([parse_lwkd(p) for p in sorted(directory.glob("*.md"))])
        for issue in pool.issues:
            for section in issue.sections:
                for kind, items in section.groups:
                    target = pool.paras if kind == "para" else pool.bullets
                    # Shift each item to a common origin (BASE) so that it can be moved to any issue's date.
                    target.setdefault(section.key, []).extend(shift_dates(t, BASE - issue.date) for t in items)
        return pool


def lwkd_issue(pool: LwkdPool, date: dt.date, rng: random.Random) -> tuple[str, str]:
    """(file name, text) of a synthetic LWKD issue dated ``date``."""
    template = rng.choice(pool.issues)
    slug = f"{date.isoformat()}-update"
    title = f"Week Ending {_MONTHS[date.month - 1]} {date.day}, {date.year}"
    front = ["---", "layout: post", f"title: {title}"]
    if "date" in template.front:
        posted = date + dt.timedelta(days=2)
        front.append(f"date: {posted.isoformat()} 22:00:00 -0000")
    front += [f"slug: {slug}", "---", ""]
    out = ["\n".join(front)]
    if template.intro:
        out.append(shift_dates(template.intro, date - template.date))
    for section in template.sections:
        out.append(section.heading)
        out.append("")
        for kind, items in section.groups:
            if kind == "para":
                choices = pool.paras.get(section.key) or items
                text = rng.choice(choices)
                out.append(shift_dates(text, date - BASE) if choices is not items else text)
            else:
                choices = pool.bullets.get(section.key) or items
                picked = [rng.choice(choices) for _ in range(max(1, len(items) + rng.randint(-2, 2)))]
                shifted = [shift_dates(b, date - BASE) if choices is not items else b for b in picked]
                out.append("\n".join(shifted))
            out.append("")
    text = "\n".join(out).rstrip("\n") + "\n"
    head, sep, body = text.partition("\n---\n")  # keep the front matter as written: swap names in the body
    return slug + ".md", head + sep + swap_projects(body, rng)


# --------------------------------------------------------------------------- the corpus


def generate(n: int, out: Path, seed: int = 0, offset: int = 0, weekly_share: float = 0.2) -> dict[str, int]:
    """Write issues ``offset … offset+n-1`` into ``out``; returns the count per series."""
    weekly_seed = parse_weekly(SEED_ISSUE.read_text(encoding="utf-8"))
    lwkd_dir = SHARED / "corpus" / "lwkd"
    pool = LwkdPool.load(lwkd_dir) if lwkd_dir.is_dir() else None
    if pool is None:
        print(f"synth: {lwkd_dir} is absent; every issue is recombined from the weekly seed only", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    counts = {"cloud-native-weekly": 0, "lwkd": 0}
    for i in range(offset, offset + n):
        rng = random.Random(f"cnkg-synth:{seed}:{i}")
        date = BASE + dt.timedelta(days=i)
        if pool is None or rng.random() < weekly_share:
            name = f"cloud-native-weekly-vol-{i + 1}.txt"
            text = weekly_issue(weekly_seed, i + 1, date, rng)
            counts["cloud-native-weekly"] += 1
        else:
            name, text = lwkd_issue(pool, date, rng)
            counts["lwkd"] += 1
        (out / name).write_text(text, encoding="utf-8")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="how many issues")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--offset", type=int, default=0, help="index of the first issue (default 0)")
    parser.add_argument("--weekly-share", type=float, default=0.2, help="share of weekly issues (default 0.2)")
    args = parser.parse_args(argv)
    counts = generate(args.n, args.outdir, args.seed, args.offset, args.weekly_share)
    print(f"wrote {args.n} issues to {args.outdir} ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

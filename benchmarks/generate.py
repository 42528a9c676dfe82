"""A seeded synthetic corpus in OpenAlex works JSONL, shaped like real scholarly data.

* years 1990-2025, output growing ~4.5 % a year; works are written oldest first;
* author productivity follows Lotka's law, P(n works) ~ 1/n^2 (capped so one person cannot own the corpus);
* team sizes mostly 1-8 with a Pareto tail to 100+ (consortium papers);
* institutions with Zipf-like sizes, a skewed country mix and some child units (``lineage``); co-authors come
  from the lead author's institution more often than not;
* topics in OpenAlex's domain > field > subfield > topic hierarchy, chosen by the lead author's field;
* in-corpus references by preferential attachment with a recency bias (half the picks re-cite a recently cited
  work, half pick a recent work by an exponential age), always to an earlier work; plus a few references to works
  outside the corpus;
* ORCIDs (valid check digit) on part of the authors, more often on productive ones.

Deterministic for ``(n_works, seed)``: the same call writes byte-identical files. Only compact arrays are kept in
memory; the JSON is streamed line by line.

>>> orcid_check_digit("000000021825009")
'7'
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import math
import random
from array import array
from dataclasses import dataclass, field
from pathlib import Path

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
FIRST_YEAR, LAST_YEAR = 1990, 2025
TEAM_HEAD = [0.12, 0.20, 0.20, 0.16, 0.12, 0.09, 0.06, 0.05]  # team sizes 1..8
TEAM_TAIL_P, TEAM_TAIL_MIN, TEAM_TAIL_ALPHA, TEAM_MAX = 0.015, 9, 1.2, 300
REFS_MEAN, REFS_SD = 10.5, 3.0
PREFERENTIAL_P = 0.55  # share of reference picks that re-cite a recently cited work
RECENCY_YEARS = 6.0  # mean age of the other picks
SAME_INSTITUTION_P = 0.65

DOMAINS = {1: "Life Sciences", 2: "Social Sciences", 3: "Physical Sciences", 4: "Health Sciences"}
FIELDS = [  # (OpenAlex field id, name, domain id)
    (11, "Agricultural and Biological Sciences", 1), (12, "Arts and Humanities", 2),
    (13, "Biochemistry, Genetics and Molecular Biology", 1), (14, "Business, Management and Accounting", 2),
    (15, "Chemical Engineering", 3), (16, "Chemistry", 3), (17, "Computer Science", 3), (18, "Decision Sciences", 2),
    (19, "Earth and Planetary Sciences", 3), (20, "Economics, Econometrics and Finance", 2), (21, "Energy", 3),
    (22, "Engineering", 3), (23, "Environmental Science", 3), (24, "Immunology and Microbiology", 1),
    (25, "Materials Science", 3), (26, "Mathematics", 3), (27, "Medicine", 4), (28, "Neuroscience", 1),
    (29, "Nursing", 4), (30, "Pharmacology, Toxicology and Pharmaceutics", 1), (31, "Physics and Astronomy", 3),
    (32, "Psychology", 2), (33, "Social Sciences", 2), (34, "Veterinary", 4), (35, "Dentistry", 4),
    (36, "Health Professions", 4),
]  # fmt: skip
FIELD_WEIGHTS = [3, 1, 5, 1.5, 1.5, 4, 6, 0.7, 2, 2, 1.5, 6, 3, 2, 3.5, 2, 12, 2.5, 0.8, 1.5, 4, 2, 4, 0.5, 0.4, 0.8]
SUBFIELD_KINDS = ["General", "Theory", "Applied", "Computational", "Experimental", "Clinical", "Industrial", "Data"]
WORDS = """adaptive analysis approach bayesian benchmark biomarker catalyst causal cell climate clustering cohort
compression control convex corpus coupling crystal deep detection diffusion dynamics efficient emission energy
ensemble enzyme estimation evolution experimental federated fluid framework gene genome graph grid growth
heterogeneous hybrid imaging immune inference infection interface kinetic language lattice learning ligand linear
market measurement membrane metabolic model molecular monitoring network neural nonlinear numerical optical
optimization oscillation particle pathway patient perception polymer population prediction protein quantum random
receptor recognition regression reinforcement renewable representation resistance retrieval risk robust sampling
scalable semantic sensor sequence signal simulation social soil sparse spatial spectral stability statistical
stochastic structure surface survey synthesis temporal therapy thermal tissue topology transfer transport treatment
tumor uncertainty urban variational vision voltage wave""".split()
TITLE_FORMS = ["{a} {b} for {t}", "On {a} {b} in {t}", "{t}: a {a} {b} study", "Towards {a} {b} of {t}",
               "{a} and {b} methods for {t}", "A {a} view of {t}"]  # fmt: skip
FIRST = """James Mary Wei Li Ana Jose Maria Juan Fatima Mohamed Aisha Hiroshi Yuki Sakura Olga Ivan Sofia Lucas Emma
Noah Liam Olivia Chen Jun Min Seo Ji Priya Rahul Arjun Ananya Pierre Camille Hans Anna Lukas Lena Marco Giulia
Pablo Lucia Ahmed Omar Leila Kwame Amara Chidi Ngozi Tomasz Katarzyna Erik Ingrid Sven Astrid Mateus Beatriz
Diego Valentina Hao Yan Lei Xin Ming Jing Takeshi Kenji Daniel Sarah David Laura Michael Elena Thomas Julia Ali
Zainab Yusuf Nadia Raj Deepa Vikram Kofi Abena Rui Ines Nikolai Tatiana Jakub Petra Jan Eva Mehmet Ayse""".split()
LAST = """Smith Johnson Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Kim Lee Park Choi Jung Garcia
Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Silva Santos Oliveira Souza Costa Pereira Muller Schmidt
Schneider Fischer Weber Meyer Wagner Becker Rossi Russo Ferrari Esposito Bianchi Romano Martin Bernard Dubois
Thomas Robert Richard Petit Durand Leroy Moreau Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura
Kobayashi Kato Ivanov Smirnov Kuznetsov Popov Sokolov Kumar Singh Sharma Patel Gupta Reddy Rao Nair Iyer Das
Khan Ahmed Hassan Hussein Ali Ibrahim Mahmoud Yilmaz Kaya Demir Sahin Nowak Kowalski Wisniewski Novak Svoboda
Nielsen Jensen Hansen Andersen Larsen Johansson Andersson Karlsson Nilsson Eriksson Okafor Mensah Boateng Diallo
Traore Nguyen Tran Pham Le Hoang Brown Taylor Wilson Davies Evans Walker Wright Thompson White Hughes Green
Hall Wood Jackson Clarke Murphy Kelly OBrien Ryan Byrne Walsh Cohen Levi Friedman Katz Fernandes Alves""".split()
PLACES = """Boston Stanford Berkeley Cambridge Oxford London Paris Lyon Berlin Munich Heidelberg Zurich Geneva Vienna
Milan Rome Madrid Barcelona Lisbon Amsterdam Leiden Delft Leuven Copenhagen Stockholm Uppsala Oslo Helsinki Warsaw
Prague Budapest Moscow Beijing Tsinghua Shanghai Fudan Zhejiang Nanjing Wuhan Sichuan Tokyo Kyoto Osaka Tohoku Seoul
Yonsei Taipei Singapore Delhi Bombay Bangalore Madras Sydney Melbourne Queensland Auckland Toronto McGill Vancouver
Alberta Chicago Michigan Wisconsin Minnesota Texas Austin Houston Seattle Washington Columbia Princeton Yale Duke
Emory Atlanta Pittsburgh Cornell Rochester Sao-Paulo Campinas Mexico Santiago Cape-Town Nairobi Lagos Cairo Tehran
Istanbul Ankara Haifa Jerusalem""".split()
INSTITUTION_FORMS = [("University of {p}", "education", 6), ("{p} Institute of Technology", "education", 2),
                     ("{p} Medical Center", "healthcare", 1.2), ("{p} Research Institute", "facility", 1),
                     ("{p} State University", "education", 1.5), ("{p} Labs", "company", 0.5)]  # fmt: skip
COUNTRIES = [("US", 25), ("CN", 18), ("GB", 6), ("DE", 6), ("JP", 5), ("FR", 4), ("IN", 4), ("CA", 3.5),
             ("IT", 3.5), ("AU", 3), ("ES", 2.5), ("KR", 2.5), ("BR", 2.5), ("NL", 2), ("CH", 1.5), ("SE", 1.3),
             ("RU", 1.3), ("PL", 1.1), ("TR", 1.1), ("IR", 1.1), ("BE", 0.9), ("DK", 0.8), ("TW", 0.8),
             ("AT", 0.7), ("IL", 0.7), ("MX", 0.6), ("PT", 0.6), ("SG", 0.6), ("FI", 0.5), ("NO", 0.5),
             ("ZA", 0.5), ("EG", 0.5), ("CZ", 0.4), ("NZ", 0.4), ("CL", 0.3), ("NG", 0.3), ("KE", 0.2),
             ("VN", 0.2), ("HU", 0.3), ("GR", 0.4)]  # fmt: skip
WORK_TYPES = [("article", 75), ("book-chapter", 7), ("preprint", 7), ("review", 5), ("dataset", 2), ("book", 1),
              ("dissertation", 1), ("other", 2)]  # fmt: skip
OA_STATUS = [("closed", 50), ("gold", 18), ("green", 14), ("hybrid", 8), ("bronze", 10)]

WORK_BASE, AUTHOR_BASE, INST_BASE, SOURCE_BASE, TOPIC_BASE = 3_000_000_000, 5_000_000_000, 1_000_000, 2_000_000, 10_000


def size_of(label: str) -> int:
    """``"10k"`` -> 10000; plain numbers are accepted too (``"500"``).

    >>> size_of("100k"), size_of("1m"), size_of("500")
    (100000, 1000000, 500)
    """
    label = label.strip().lower()
    if label in SIZES:
        return SIZES[label]
    if label.endswith("k"):
        return int(float(label[:-1]) * 1000)
    if label.endswith("m"):
        return int(float(label[:-1]) * 1_000_000)
    return int(label)


def orcid_check_digit(base15: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 15 ORCID digits."""
    total = 0
    for ch in base15:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def _cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, cum: list[float]) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


@dataclass
class Plan:
    """The corpus as compact arrays (one entry per work, author, institution...), before any JSON is written."""

    n_works: int
    seed: int
    dates: list[tuple[int, int]] = field(default_factory=list)  # (year, day of year), oldest first
    team_offsets: array = field(default_factory=lambda: array("q", [0]))
    team: array = field(default_factory=lambda: array("i"))
    ref_offsets: array = field(default_factory=lambda: array("q", [0]))
    refs: array = field(default_factory=lambda: array("i"))
    cited: array = field(default_factory=lambda: array("i"))  # in-corpus citations received
    author_inst: array = field(default_factory=lambda: array("i"))
    author_field: array = field(default_factory=lambda: array("i"))
    author_target: array = field(default_factory=lambda: array("i"))  # Lotka productivity drawn for the author
    institutions: list[dict] = field(default_factory=list)
    n_sources: int = 0
    topics: list[tuple[int, int]] = field(default_factory=list)  # (subfield index, field index) per topic


def lotka_table(cap: int) -> list[float]:
    """Cumulative P(n works) ~ 1/n^2 for n = 1..cap."""
    return _cumulative(1.0 / (n * n) for n in range(1, cap + 1))


def team_size(rng: random.Random, head_cum: list[float]) -> int:
    if rng.random() < TEAM_TAIL_P:
        return min(TEAM_MAX, int(TEAM_TAIL_MIN * (1.0 - rng.random()) ** (-1.0 / TEAM_TAIL_ALPHA)))
    return _pick(rng, head_cum) + 1


def plan_corpus(n_works: int, seed: int = 42) -> Plan:
    """Draw every structural choice of the corpus (years, teams, institutions, references)."""
    rng = random.Random(seed)
    p = Plan(n_works=n_works, seed=seed)
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    year_cum = _cumulative(1.045 ** (y - FIRST_YEAR) for y in years)
    p.dates = sorted((years[_pick(rng, year_cum)], rng.randint(1, 365)) for _ in range(n_works))

    # institutions: Zipf-like sizes, skewed countries, a few child units of large ones
    n_inst = max(20, int(8 * math.sqrt(n_works)))
    country_cum = _cumulative(w for _, w in COUNTRIES)
    form_cum = _cumulative(w for *_, w in INSTITUTION_FORMS)
    field_cum = _cumulative(FIELD_WEIGHTS)
    seen_names: dict[str, int] = {}
    for k in range(n_inst):
        form, kind, _ = INSTITUTION_FORMS[_pick(rng, form_cum)]
        name = form.format(p=rng.choice(PLACES).replace("-", " "))
        seen_names[name] = seen_names.get(name, 0) + 1
        if seen_names[name] > 1:
            name = f"{name} {seen_names[name]}"
        parent = rng.randrange(min(50, k)) if k > 5 and rng.random() < 0.10 else None
        p.institutions.append({"name": name, "type": kind, "country": COUNTRIES[_pick(rng, country_cum)][0],
                               "parent": parent, "field": _pick(rng, field_cum)})  # fmt: skip
    for inst in p.institutions:  # a child unit sits in its parent's country
        if inst["parent"] is not None:
            inst["country"] = p.institutions[inst["parent"]]["country"]
            inst["name"] = (
                f"Department of {FIELDS[inst['field']][1].split(',')[0]}, {p.institutions[inst['parent']]['name']}"
            )
    inst_cum = _cumulative((r + 5) ** -1.0 for r in range(n_inst))
    p.n_sources = max(10, n_works // 40)
    n_sub = len(FIELDS) * len(SUBFIELD_KINDS)
    p.topics = [(s, s // len(SUBFIELD_KINDS)) for s in range(n_sub) for _ in range(5)]

    # teams first, then enough Lotka-distributed authors to fill their slots
    head_cum = _cumulative(TEAM_HEAD)
    sizes = [team_size(rng, head_cum) for _ in range(n_works)]
    slots_needed = sum(sizes)
    lotka = lotka_table(max(20, min(1000, n_works // 50)))
    global_slots: list[int] = []
    inst_slots: list[list[int]] = [[] for _ in range(n_inst)]
    remaining = array("i")
    while len(global_slots) < slots_needed:
        a = len(p.author_target)
        k = _pick(rng, lotka) + 1
        inst = _pick(rng, inst_cum)
        p.author_target.append(k)
        p.author_inst.append(inst)
        p.author_field.append(p.institutions[inst]["field"] if rng.random() < 0.7 else _pick(rng, field_cum))
        remaining.append(k)
        global_slots.extend([a] * k)
        inst_slots[inst].extend([a] * k)
    rng.shuffle(global_slots)
    for s in inst_slots:
        rng.shuffle(s)
    g_ptr, i_ptr = 0, [0] * n_inst

    def new_author(inst: int) -> int:
        a = len(p.author_target)
        p.author_target.append(1)
        p.author_inst.append(inst)
        p.author_field.append(p.institutions[inst]["field"])
        remaining.append(1)
        return a

    def take(source: list[int], ptr: int, team: set[int]) -> tuple[int | None, int]:
        skipped = 0
        while ptr + skipped < len(source) and skipped < 50:
            a = source[ptr + skipped]
            if remaining[a] > 0 and a not in team:
                if skipped == 0:
                    ptr += 1
                else:  # keep the skipped slots for later teams: swap the taken one to the front
                    source[ptr], source[ptr + skipped] = source[ptr + skipped], source[ptr]
                    ptr += 1
                remaining[a] -= 1
                return a, ptr
            if remaining[a] == 0 and skipped == 0:
                ptr += 1
                continue
            skipped += 1
        return None, ptr

    year_start: dict[int, int] = {}
    for i, (y, _) in enumerate(p.dates):
        year_start.setdefault(y, i)
    cited_log = array("i")  # targets of all references so far, in citing order
    p.cited = array("i", bytes(4 * n_works))
    for i in range(n_works):
        team: list[int] = []
        members: set[int] = set()
        lead, g_ptr = take(global_slots, g_ptr, members)
        if lead is None:
            lead = new_author(_pick(rng, inst_cum))
        team.append(lead)
        members.add(lead)
        home = p.author_inst[lead]
        while len(team) < sizes[i]:
            a = None
            if rng.random() < SAME_INSTITUTION_P:
                a, i_ptr[home] = take(inst_slots[home], i_ptr[home], members)
            if a is None:
                a, g_ptr = take(global_slots, g_ptr, members)
            if a is None:
                a = new_author(_pick(rng, inst_cum))
            team.append(a)
            members.add(a)
        p.team.extend(team)
        p.team_offsets.append(len(p.team))

        # references: only to earlier works
        want = min(i, max(0, round(rng.gauss(REFS_MEAN, REFS_SD))))
        chosen: set[int] = set()
        year = p.dates[i][0]
        for _ in range(4 * want):
            if len(chosen) >= want:
                break
            if cited_log and rng.random() < PREFERENTIAL_P:
                scale = max(50.0, 0.15 * len(cited_log))
                pos = len(cited_log) - 1 - int(rng.expovariate(1.0 / scale))
                target = cited_log[max(0, pos)]
            else:
                y = max(FIRST_YEAR, year - int(rng.expovariate(1.0 / RECENCY_YEARS)))
                lo = year_start.get(y)
                hi = year_start.get(y + 1, n_works) if y < year else i
                target = rng.randrange(lo, min(hi, i)) if lo is not None and lo < min(hi, i) else rng.randrange(i)
            chosen.add(target)
        for t in sorted(chosen):
            p.refs.append(t)
            p.cited[t] += 1
            cited_log.append(t)
        p.ref_offsets.append(len(p.refs))
    return p


def _source_of(rng: random.Random, p: Plan, field_idx: int, cum: list[float]) -> int:
    return (_pick(rng, cum) + field_idx * 7) % p.n_sources


def _institution_json(p: Plan, k: int) -> dict:
    inst = p.institutions[k]
    oid = f"https://openalex.org/I{INST_BASE + k}"
    lineage = [oid] + ([f"https://openalex.org/I{INST_BASE + inst['parent']}"] if inst["parent"] is not None else [])
    return {"id": oid, "display_name": inst["name"], "ror": f"https://ror.org/0{k:06d}x{k % 97:02d}",
            "country_code": inst["country"], "type": inst["type"], "lineage": lineage}  # fmt: skip


def _author_name(seed: int, a: int) -> str:
    r = random.Random(seed * 1_000_003 + a)
    middle = f" {r.choice('ABCDEFGHJKLMNPRSTW')}." if r.random() < 0.3 else ""
    return f"{r.choice(FIRST)}{middle} {r.choice(LAST)}"


def _topic_json(p: Plan, t: int, score: float) -> dict:
    sub, fi = p.topics[t]
    fid, fname, dom = FIELDS[fi]
    r = random.Random(t * 7919 + 11)
    words = r.sample(WORDS, 2)
    return {
        "id": f"https://openalex.org/T{TOPIC_BASE + t}",
        "display_name": f"{words[0].capitalize()} {words[1]} in {fname.split(',')[0]}",
        "score": round(score, 4),
        "subfield": {"id": f"https://openalex.org/subfields/{fid * 100 + sub % len(SUBFIELD_KINDS) + 1}",
                     "display_name": f"{SUBFIELD_KINDS[sub % len(SUBFIELD_KINDS)]} {fname.split(',')[0]}"},
        "field": {"id": f"https://openalex.org/fields/{fid}", "display_name": fname},
        "domain": {"id": f"https://openalex.org/domains/{dom}", "display_name": DOMAINS[dom]},
    }  # fmt: skip


def work_json(p: Plan, i: int, citer_years: list[int], rng: random.Random, source_cum: list[float]) -> dict:
    """The OpenAlex work object for work ``i`` of the plan."""
    year, doy = p.dates[i]
    team = p.team[p.team_offsets[i] : p.team_offsets[i + 1]]
    lead_field = p.author_field[team[0]]
    topics_in_field = [
        t for t in range(lead_field * len(SUBFIELD_KINDS) * 5, (lead_field + 1) * len(SUBFIELD_KINDS) * 5)
    ]
    topic_ids = rng.sample(topics_in_field, rng.choice((1, 2, 3)))
    topics = [_topic_json(p, t, 0.99 - 0.2 * n - rng.random() * 0.1) for n, t in enumerate(topic_ids)]
    authorships = []
    for pos, a in enumerate(team):
        insts = [p.author_inst[a]]
        if rng.random() < 0.05:
            insts.append(rng.randrange(len(p.institutions)))
        inst_json = [_institution_json(p, k) for k in dict.fromkeys(insts)]
        has_orcid = random.Random(p.seed * 31 + a).random() < 0.3 + 0.5 * (1 - 1 / p.author_target[a])
        orcid = None
        if has_orcid:
            base = f"0009{a:011d}"
            orcid = "https://orcid.org/" + "-".join((base + orcid_check_digit(base))[j : j + 4] for j in (0, 4, 8, 12))
        name = _author_name(p.seed, a)
        authorships.append({
            "author_position": "first" if pos == 0 else ("last" if pos == len(team) - 1 else "middle"),
            "author": {"id": f"https://openalex.org/A{AUTHOR_BASE + a}", "display_name": name, "orcid": orcid},
            "institutions": inst_json,
            "countries": sorted({x["country_code"] for x in inst_json}),
            "is_corresponding": pos == 0,
            "raw_author_name": name,
            "raw_affiliation_strings": [x["display_name"] for x in inst_json],
        })  # fmt: skip
    refs = p.refs[p.ref_offsets[i] : p.ref_offsets[i + 1]]
    referenced = [f"https://openalex.org/W{WORK_BASE + t}" for t in refs]
    referenced += [f"https://openalex.org/W1{rng.randrange(10**9):09d}" for _ in range(rng.randint(0, 4))]
    in_corpus = len(citer_years)
    by_year: dict[int, int] = {}
    for y in citer_years:
        if y >= 2012:
            by_year[y] = by_year.get(y, 0) + 1
    src = _source_of(rng, p, lead_field, source_cum)
    fname = FIELDS[lead_field][1].split(",")[0]
    a, b = rng.sample(WORDS, 2)
    title = rng.choice(TITLE_FORMS).format(a=a.capitalize(), b=b, t=topics[0]["display_name"].lower())
    oa_status = rng.choice([s for s, w in OA_STATUS for _ in range(w // 2)])
    date = (datetime.date(year, 1, 1) + datetime.timedelta(days=doy - 1)).isoformat()
    work = {
        "id": f"https://openalex.org/W{WORK_BASE + i}",
        "doi": f"https://doi.org/10.5555/synthetic.{i}" if rng.random() < 0.85 else None,
        "title": title,
        "display_name": title,
        "publication_year": year,
        "publication_date": date,
        "type": rng.choice([t for t, w in WORK_TYPES for _ in range(w)]),
        "language": "en",
        "primary_location": {"source": {"id": f"https://openalex.org/S{SOURCE_BASE + src}",
                                        "display_name": f"Journal of {fname} {SUBFIELD_KINDS[src % 8]} {src}",
                                        "type": "journal" if src % 7 else "conference",
                                        "issn_l": f"{2000 + src // 10000:04d}-{src % 10000:04d}"}},
        "authorships": authorships,
        "topics": topics,
        "referenced_works": referenced,
        "cited_by_count": in_corpus + int(in_corpus * rng.uniform(0.5, 2.0)) + rng.randint(0, 3),
        "counts_by_year": [{"year": y, "cited_by_count": n} for y, n in sorted(by_year.items(), reverse=True)],
        "open_access": {"is_oa": oa_status != "closed", "oa_status": oa_status,
                        "oa_url": f"https://example.org/oa/{i}" if oa_status != "closed" else None},
    }  # fmt: skip
    if rng.random() < 0.6:
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 90))]
        index: dict[str, list[int]] = {}
        for n, w in enumerate(words):
            index.setdefault(w, []).append(n)
        work["abstract_inverted_index"] = index
    return work


def write_corpus(n_works: int, out_dir: Path, *, seed: int = 42, extra: int = 0, name: str = "corpus") -> dict:
    """Write ``{name}.jsonl`` (the first ``n_works`` works) and, when ``extra`` > 0, ``{name}-extra.jsonl`` (the
    next ``extra`` works, newer, citing the corpus); returns a summary with the files and the distributions."""
    out_dir.mkdir(parents=True, exist_ok=True)
    total = n_works + extra
    p = plan_corpus(total, seed)
    citer_years: list[list[int]] = [[] for _ in range(total)]
    for i in range(total):
        for t in p.refs[p.ref_offsets[i] : p.ref_offsets[i + 1]]:
            if t >= n_works or i < n_works:  # the corpus file cannot know the extra works that cite it
                citer_years[t].append(p.dates[i][0])
    rng = random.Random(seed + 1)
    source_cum = _cumulative((r + 2) ** -1.1 for r in range(p.n_sources))
    main, more = out_dir / f"{name}.jsonl", out_dir / f"{name}-extra.jsonl"
    files = [main] + ([more] if extra else [])
    with main.open("w", encoding="utf-8") as fa, more.open("w", encoding="utf-8") if extra else fa as fb:
        for i in range(total):
            fh = fa if i < n_works else fb
            fh.write(json.dumps(work_json(p, i, citer_years[i], rng, source_cum), separators=(",", ":")) + "\n")
            citer_years[i] = []
    works_per_author: dict[int, int] = {}
    for a in p.team[: p.team_offsets[n_works]]:
        works_per_author[a] = works_per_author.get(a, 0) + 1
    sizes = [p.team_offsets[i + 1] - p.team_offsets[i] for i in range(n_works)]
    return {
        "works": n_works,
        "extra_works": extra,
        "seed": seed,
        "files": [str(f) for f in files],
        "authors": len(works_per_author),
        "authorships": p.team_offsets[n_works],
        "authorships_per_work": round(p.team_offsets[n_works] / max(1, n_works), 2),
        "in_corpus_refs_per_work": round(p.ref_offsets[n_works] / max(1, n_works), 2),
        "institutions": len(p.institutions),
        "sources": p.n_sources,
        "max_works_per_author": max(works_per_author.values(), default=0),
        "max_team_size": max(sizes, default=0),
        "max_in_corpus_citations": max(p.cited[:n_works], default=0),
    }

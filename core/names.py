"""Parsing and normalising person names: author lists as people write them, keys for matching name variants.

>>> [p.display_name for p in parse_author_list("Zhang, Yaoyu, Li, Yuqing, Xu, Zhi-Qin John")]
['Yaoyu Zhang', 'Yuqing Li', 'Zhi-Qin John Xu']
>>> name_key("Xu, Zhi-Qin John")
'zhiqin john xu'
>>> names_compatible("Zhi-Qin John Xu", "Z.-Q. J. Xu")
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --------------------------------------------------------------------------- LaTeX -> Unicode

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328", "r": "\u030a", "d": "\u0323",
    "b": "\u0331",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "o": "ø", "O": "Ø",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
    "dagger": "†", "ddagger": "‡", "ast": "*", "S": "§", "P": "¶",
}  # fmt: skip
_ACCENT_SYM_RE = re.compile(r"\\([`'^\"~=.])\s*(?:\{\s*(\\[A-Za-z]+|[^{}\\])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))")
_ACCENT_WORD_RE = re.compile(r"\\([cvuHkrdb])(?:\s*\{\s*(\\[A-Za-z]+|[^{}\\])\s*\}|\s+([A-Za-z]))")
_LETTER_RE = re.compile(r"\\(" + "|".join(sorted(_LETTERS, key=len, reverse=True)) + r")(?![A-Za-z])(?:\{\}|\s)?")
_FONT_RE = re.compile(r"\\(?:emph|textit|textbf|textrm|textsc|textsf|texttt|textup|mathrm|mbox|text)\s*(?=\{)")
_ESCAPES = {"&": "&", "%": "%", "_": "_", "$": "$", "#": "#", "{": "\x01", "}": "\x02", " ": " ", ",": " "}


def _accent(cmd: str, arg: str | None, bare: str | None) -> str:
    base = arg if arg is not None else bare or ""
    if base in ("\\i", "\\j"):
        base = base[1]
    elif base.startswith("\\"):
        base = _LETTERS.get(base[1:], base[1:])
    return unicodedata.normalize("NFC", base + _ACCENTS[cmd])


def latex_to_unicode(text: str, *, accents_only: bool = False) -> str:
    """Text with LaTeX accents, special letters and escapes turned into Unicode, protective braces removed.

    Math (``$...$``) and unknown commands are kept as they are. With ``accents_only`` (for arXiv titles, where
    ``-->``, ``z~2`` and ``sqrt{s}`` are plain-text notation) only accented and special letters are converted.

    >>> latex_to_unicode(r'C. Bal\\'azs, J\\"{u}rgen K{\\"o}nig, {\\O}bro, Pucha{\\l}a, \\c{C}a\\u{g}lar, \\v{S}r\\'amek')
    'C. Balázs, Jürgen König, Øbro, Puchała, Çağlar, Šrámek'
    >>> latex_to_unicode(r"Schr\\"odinger--Pauli: {$x^{2}$}")
    'Schrödinger–Pauli: $x^{2}$'
    >>> latex_to_unicode(r"Koll{\\'a}r's B --> K, z~2, sqrt{s}", accents_only=True)
    "Kollár's B --> K, z~2, sqrt{s}"
    >>> latex_to_unicode(r"Stra{\\ss}e, {\\aa}ngstr\\"om, Pe\\~na, \\'{\\i}ndice, Smith \\& Wesson")
    'Straße, ångström, Peña, índice, Smith & Wesson'
    """
    if not re.search(r"[\\{}`~]|--|''", text) or (accents_only and "\\" not in text):
        return text
    convert = _accents_to_unicode if accents_only else _text_to_unicode
    # math ($...$) is kept verbatim; only the text between math spans is converted
    pieces = re.split(r"((?<!\\)\$[^$]*(?<!\\)\$)", text)
    return "".join(p if i % 2 else convert(p) for i, p in enumerate(pieces))


def _accent_commands(text: str) -> str:
    out = _ACCENT_SYM_RE.sub(lambda m: _accent(m.group(1), m.group(2), m.group(3)), text)
    out = _ACCENT_WORD_RE.sub(lambda m: _accent(m.group(1), m.group(2), m.group(3)), out)
    return _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)] if len(m.group(1)) <= 2 else m.group(0), out)


def _accents_to_unicode(text: str) -> str:
    """Accent commands and special letters only; braces wrapping one such letter (``{\\'a}``) dropped."""

    def braced(m: re.Match) -> str:
        letter = unicodedata.normalize("NFC", _accent_commands(m.group(1)))
        return letter if len(letter) == 1 else m.group(0)

    out = re.sub(r"\{(\\[^{}\s]{1,3}(?:\s*\{[^{}]\}|\s[A-Za-z])?)\}", braced, text)
    return unicodedata.normalize("NFC", _accent_commands(out))


def _text_to_unicode(text: str) -> str:
    out = _ACCENT_SYM_RE.sub(lambda m: _accent(m.group(1), m.group(2), m.group(3)), text)
    out = _ACCENT_WORD_RE.sub(lambda m: _accent(m.group(1), m.group(2), m.group(3)), out)
    out = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], out)
    out = _FONT_RE.sub("", out)
    out = re.sub(r"\\([&%_$#{} ,])", lambda m: _ESCAPES[m.group(1)], out)
    out = out.replace("``", "\u201c").replace("''", "\u201d").replace("---", "\u2014").replace("--", "\u2013")
    out = re.sub(r"(?<!\\)~", " ", out)
    out = out.replace("{", "").replace("}", "").replace("\x01", "{").replace("\x02", "}")
    return unicodedata.normalize("NFC", out)


# --------------------------------------------------------------------------- single names

_PARTICLES = {
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la", "le", "ten", "ter",
    "zu", "bin", "ibn", "al", "el", "in", "'t", "\u2019t",
}  # fmt: skip
_CAP_PARTICLES = {"van", "von", "de", "del", "della", "di", "da", "du", "la", "le", "dos", "das", "der", "den"}
_SUFFIX_RE = re.compile(r"^(?:jr\.?|sr\.?|junior|senior|ii|iii|iv|v)$", re.I)
_INITIAL_RE = re.compile(r"^(?:[A-Z][a-z]?\.(?:-?[A-Z][a-z]?\.)*|[A-Z](?:-[A-Z])*)$")


def _is_suffix(word: str) -> bool:
    return bool(_SUFFIX_RE.match(word.strip().rstrip(",")))


def _space_initials(name: str) -> str:
    """``J.P.Hague`` -> ``J. P. Hague``; ``N.d'Ambrumenil`` -> ``N. d'Ambrumenil``; keeps ``C.-P.``."""
    name = re.sub(r"(?<=\b[A-Za-z])\.(?=[^\s.\-,)])", ". ", name)
    return " ".join(name.split())


def _split_parts(name: str) -> tuple[str | None, str, str | None]:
    """(given, family, suffix) of a name in "First Last" or "Last, First" order."""
    name = _space_initials(latex_to_unicode(name)).strip(" ,")
    if "," in name:
        parts = [p.strip() for p in name.split(",") if p.strip()]
        if len(parts) == 2 and _is_suffix(parts[1]):  # "Robert W. Heath, Jr."
            given, family, _ = _split_parts(parts[0])
            return given, family, parts[1]
        if len(parts) >= 2:  # "Last, First" or "Last, Jr, First"
            suffix = parts[1] if len(parts) == 3 and _is_suffix(parts[1]) else None
            return parts[-1] or None, parts[0], suffix
        name = parts[0] if parts else ""
    words = name.split()
    suffix = None
    if len(words) > 1 and _is_suffix(words[-1]):
        suffix = words.pop()
    if len(words) <= 1:
        return None, " ".join(words), suffix
    start = len(words) - 1
    # particles before the last word join the family name, but the first word always stays a given name
    while start > 1 and (words[start - 1] in _PARTICLES or words[start - 1].lower() in _CAP_PARTICLES):
        start -= 1
    return " ".join(words[:start]) or None, " ".join(words[start:]), suffix


def split_name(display_name: str) -> tuple[str | None, str]:
    """(given names, family name) of a person's name; given is None for a single-word name.

    Lower-case particles (and capitalised ones after the first word) belong to the family name;
    suffixes such as ``Jr.`` and ``III`` are dropped.

    >>> split_name("Zhi-Qin John Xu")
    ('Zhi-Qin John', 'Xu')
    >>> split_name("Xu, Zhi-Qin John")
    ('Zhi-Qin John', 'Xu')
    >>> split_name("Ewine F. van Dishoeck")
    ('Ewine F.', 'van Dishoeck')
    >>> split_name("M. De Napoli")
    ('M.', 'De Napoli')
    >>> split_name("Robert W. Heath, Jr.")
    ('Robert W.', 'Heath')
    >>> split_name("Sudha")
    (None, 'Sudha')
    """
    given, family, _ = _split_parts(display_name)
    return given, family


# --------------------------------------------------------------------------- keys and matching

_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
                       "Œ": "OE", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i", "ȷ": "j"})  # fmt: skip


_LATEX_MARK_RE = re.compile(r"[\\{}`~]|--|''")  # what makes latex_to_unicode change a text at all
_JOINER_RE = re.compile(r"[-\u2010\u2011\u2013'\u2019`]")
_PUNCT_RE = re.compile(r"[^\w\s]|_")


def _fold(text: str) -> str:
    """Casefolded, accent-free text (NFKD, combining marks dropped, ø/ł/ß... spelled out)."""
    if text.isascii() and not _LATEX_MARK_RE.search(text):
        return text.lower()  # the same result without the Unicode passes: most names, and every import meets them
    text = unicodedata.normalize("NFKD", latex_to_unicode(text).translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _key(text: str) -> str:
    text = _JOINER_RE.sub("", _fold(text))  # Zhi-Qin -> zhiqin, O'Brien -> obrien
    return " ".join(_PUNCT_RE.sub(" ", text).split())


def name_key(name: str) -> str:
    """Normalised full-name key "first ... last": casefolded, accents stripped, punctuation removed.

    Hyphens and apostrophes are removed (``Zhi-Qin`` -> ``zhiqin``, ``O'Brien`` -> ``obrien``), other
    punctuation becomes a space, "Last, First" is reordered and suffixes (Jr., III) are dropped.

    >>> name_key("Zhi-Qin John Xu") == name_key("Xu, Zhi-Qin John") == name_key("ZhiQin  John XU")
    True
    >>> name_key("Bal\\\\'azs, C.")
    'c balazs'
    """
    given, family, _ = _split_parts(name)
    return _key(f"{given or ''} {family}")


def person_name_fields(name: str) -> tuple[str | None, str, str, str]:
    """``(given, family, name_key, initials_key)`` of a name, splitting it once (an import stores all four).

    >>> n = "Xu, Zhi-Qin John"
    >>> person_name_fields(n) == (*split_name(n), name_key(n), initials_key(n))
    True
    """
    given, family, _ = _split_parts(name)
    family_key = _key(family)
    return given, family, _key(f"{given or ''} {family}"), f"{_key(given or '')[:1]} {family_key}".strip()


def text_key(text: str) -> str:
    """``name_key`` folding without the person-name rules (no reordering at commas, no suffix dropping).

    Meant for institution and venue names, where "Journal de Physique II" must not become "journal de physique".

    >>> text_key("University of California, Berkeley"), name_key("University of California, Berkeley")
    ('university of california berkeley', 'berkeley university of california')
    """
    return _key(text)


def initials_key(name: str) -> str:
    """First initial of the given names plus the family key, for candidate lookup.

    >>> initials_key("Zhongwang Zhang"), initials_key("Xu, Zhi-Qin John"), initials_key("Floris van der Tak")
    ('z zhang', 'z xu', 'f van der tak')
    """
    given, family, _ = _split_parts(name)
    first = _key(given or "")[:1]
    return f"{first} {_key(family)}".strip()


def _given_parts(given: str | None) -> list[tuple[str, str | None]]:
    """Each given-name word as (initials, full folded word or None when only initials were written)."""
    parts: list[tuple[str, str | None]] = []
    for word in _space_initials(latex_to_unicode(given or "")).split():
        raw_pieces = [p for p in re.split(r"[-\u2010\u2011]", word) if p.strip(".")]
        if not raw_pieces:
            continue
        pieces = [_fold(p).strip(".") for p in raw_pieces]
        if len(raw_pieces) == 1 and re.fullmatch(r"[A-Z]{2,3}", raw_pieces[0]):  # "JC" written without dots
            parts.append((pieces[0], None))
            continue
        initials = "".join(p[0] for p in pieces if p)
        only_initials = all(len(p) == 1 or r.endswith(".") for p, r in zip(pieces, raw_pieces, strict=True))
        full = None if only_initials else "".join(pieces)
        parts.append((initials, full))
    return parts


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def names_compatible(a: str, b: str) -> bool:
    """Whether two written names can denote the same person: same family name, compatible given names.

    Given names are compatible when their first initials agree, the shorter sequence of initials is a
    subsequence of the longer one, and full words written on both sides (first word, or aligned words) agree.

    >>> names_compatible("J. C. Roberts", "Jonathan C. Roberts"), names_compatible("Jonathan Roberts", "J. C. Roberts")
    (True, True)
    >>> names_compatible("J. Roberts", "K. Roberts"), names_compatible("Jonathan Roberts", "James Roberts")
    (False, False)
    >>> names_compatible("Zhi-Qin John Xu", "Xu, Zhiqin"), names_compatible("Yaoyu Zhang", "Zhongwang Zhang")
    (True, False)
    """
    ga, fa, _ = _split_parts(a)
    gb, fb, _ = _split_parts(b)
    if _key(fa).replace(" ", "") != _key(fb).replace(" ", "") or not fa:
        return False
    pa, pb = _given_parts(ga), _given_parts(gb)
    if not pa or not pb:
        return True  # nothing written on one side contradicts the other
    ia, ib = "".join(p[0] for p in pa), "".join(p[0] for p in pb)
    if ia[0] != ib[0]:
        return False
    short, long = sorted((ia[1:], ib[1:]), key=len)
    if not _is_subsequence(short, long):
        return False
    aligned = [(pa[0], pb[0])] + (list(zip(pa[1:], pb[1:], strict=True)) if len(pa) == len(pb) else [])
    return all(x[1] is None or y[1] is None or x[1] == y[1] for x, y in aligned)


# --------------------------------------------------------------------------- author lists


@dataclass
class ParsedName:
    """One entry of a byline: a person (given/family) or a collaboration (``is_collaboration``)."""

    display_name: str
    given: str | None = None
    family: str | None = None
    is_corresponding: bool = False
    equal_contribution: bool = False
    is_collaboration: bool = False
    affiliation: str | None = None
    suffix: str | None = None


_SEP_RE = re.compile(r"\s*(,\s*and\s+|,\s*&\s*|,|;|:|&|\s+and\s+)\s*")
_GROUP_RE = re.compile(r"\x00(\d+)\x00")
_ET_AL_RE = re.compile(r"\bet\.?\s*al\b\.?|^others$", re.I)
_COLLAB_RE = re.compile(r"\b(?:collaboration|consortium|team|group|collaborators)s?\b", re.I)
_COLLAB_PREFIX_RE = re.compile(r"^(?:(?:on behalf of|for|representing)\s+)?(?:the\s+)?", re.I)
_NOTE_RE = re.compile(r"alphabetic|equal(?:ly)?\s+contribut|contributed\s+equally|author\s+order", re.I)
_NOTE_GROUP_RE = re.compile(r"[(\[][^()\[\]]*(?:" + _NOTE_RE.pattern + r")[^()\[\]]*[)\]]", re.I)
_MATH_MARK_RE = re.compile(r"\$\s*\^?\s*\{?\s*((?:\\(?:dagger|ddagger|ast)\s*|\\?[*#]|[,\d\s])*)\}?\s*\$")
_MARKER_RE = re.compile(r"\s*\d{1,2}(?:\s*(?:,|and|&|-)\s*\d{1,2})*\s*")
_FOOT_START_RE = re.compile(r"^\s*(?:\(\s*\d{1,2}\s*\)|\d{1,2}\s*[-:\u2013)\s])")
_FOOT_MARK_RE = re.compile(r"\(\s*(\d{1,2})\s*\)\s*:?|(?:^|(?<=[,;]))\s*(\d{1,2})\s*(?:[-:\u2013]\s*|\s+)(?=[^\W\d])")
_MARKS_RE = re.compile(r"[*#\u2020\u2021\u00a7\u00b6\u2709\u2070\u00b9\u00b2\u00b3\u2074-\u2079]")
_NAME_WORD_RE = re.compile(r"^[^\W\d_][\w'\u2019\-]*\.?$")


def _math_marks(m: re.Match) -> str:
    """The symbols of a math footnote mark; affiliation numbers are dropped."""
    marks = _LETTER_RE.sub(lambda n: _LETTERS[n.group(1)], m.group(1))
    return re.sub(r"[\\,\d\s]", "", marks)


def _clean_list_text(text: str) -> str:
    """Unicode, one line, footnote marks written in math (``$^{*}$``, ``$^\\dagger$``) unwrapped, notes dropped."""
    text = _MATH_MARK_RE.sub(_math_marks, text)
    text = latex_to_unicode(text)
    text = _NOTE_GROUP_RE.sub(" ", text)  # "(Alphabetic order)", "[equal contribution]"
    return " ".join(text.split())


def _mask_groups(text: str) -> tuple[str, list[str]]:
    """Text with each top-level (...) or [...] group replaced by a placeholder, and the groups' contents."""
    out: list[str] = []
    groups: list[str] = []
    buf: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([":
            if depth:
                buf.append(ch)
            else:
                buf = []
            depth += 1
        elif ch in ")]":
            if not depth:
                continue  # a stray closing bracket
            depth -= 1
            if depth:
                buf.append(ch)
            else:
                groups.append("".join(buf).strip())
                out.append(f" \x00{len(groups) - 1}\x00 ")
        elif depth:
            buf.append(ch)
        else:
            out.append(ch)
    if depth:  # unclosed group runs to the end
        groups.append("".join(buf).strip())
        out.append(f" \x00{len(groups) - 1}\x00 ")
    return "".join(out), groups


def _footnotes(masked: str, groups: list[str]) -> tuple[int | None, dict[str, str]]:
    """Index of a trailing numbered affiliation block like ``((1) MIT, (2) Caltech)`` and its {number: text}."""
    if not groups:
        return None, {}
    last = len(groups) - 1
    after = masked.rsplit(f"\x00{last}\x00", 1)[-1]
    content = groups[last]
    if after.strip(" .,;") or _MARKER_RE.fullmatch(content) or not _FOOT_START_RE.match(content):
        return None, {}
    marks = list(_FOOT_MARK_RE.finditer(content))
    notes: dict[str, str] = {}
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        body = content[m.end() : nxt.start() if nxt else len(content)].strip(" ,;")
        if body:
            notes[m.group(1) or m.group(2)] = body
    return (last, notes) if notes else (None, {})


def _tokenise(masked: str) -> list[tuple[str, str]]:
    """(separator before, token) pairs; separators normalised to ``,`` ``and`` ``;`` ``:``."""
    pieces = _SEP_RE.split(masked)
    tokens: list[tuple[str, str]] = []
    sep = ""
    for i, piece in enumerate(pieces):
        if i % 2:
            s = piece.strip()
            sep = "and" if ("and" in s or "&" in s) else s
        elif piece.strip():
            tokens.append((sep, piece.strip()))
    return tokens


def _is_name_word(word: str) -> bool:
    return bool(_NAME_WORD_RE.match(word) or _INITIAL_RE.match(word))


def _looks_like_family(token: str) -> bool:
    words = token.split()
    if not words or len(words) > 4 or _COLLAB_RE.search(token) or _is_suffix(token):
        return False
    last = words[-1]
    if _INITIAL_RE.match(last) or len(last.strip(".")) < 2 or last.endswith(".") or not _NAME_WORD_RE.match(last):
        return False
    return all(w.lower() in _PARTICLES or w.lower() in _CAP_PARTICLES for w in words[:-1])


def _looks_like_given(token: str) -> bool:
    words = _space_initials(token).split()
    if not words or len(words) > 4 or _COLLAB_RE.search(token) or _is_suffix(token) or _ET_AL_RE.search(token):
        return False
    if not all(_is_name_word(w) for w in words):
        return False
    # "A. K. Rajagopal" (initials then a surname) is a whole name, not a given name
    return not (len(words) > 1 and _INITIAL_RE.match(words[0]) and not _INITIAL_RE.match(words[-1]))


def _pair_person(family: str, given: str, suffix: str | None = None) -> ParsedName:
    family, given = _space_initials(family), _space_initials(given)
    display = " ".join(x for x in (given, family, suffix) if x)
    return ParsedName(display_name=display, given=given, family=family, suffix=suffix)


def _last_first_list(tokens: list[tuple[str, str]]) -> list[ParsedName] | None:
    """People of a flat "Last, First, Last, First" list, or None when the tokens are not in that form."""
    if len(tokens) < 2 or len(tokens) % 2 or any("\x00" in t for _, t in tokens):
        return None
    people = []
    for k in range(0, len(tokens), 2):
        (_, family), (sep, given) = tokens[k], tokens[k + 1]
        if sep != "," or not _looks_like_family(family) or not _looks_like_given(given):
            return None
        people.append(_pair_person(family, given))
    return people


def _bibtex_list(text: str) -> list[ParsedName] | None:
    """People of a BibTeX list ("Last, First and First Last and Last, Jr, First"), or None if not that form."""
    parts = [p.strip() for p in re.split(r"\s+and\s+", text) if p.strip()]
    if len(parts) < 2 or "(" in text or not any("," in p for p in parts):
        return None
    people = []
    for part in parts:
        fields = [f.strip() for f in part.split(",")]
        if _ET_AL_RE.fullmatch(part) or part.casefold() == "others":
            continue
        if len(fields) == 1:
            entry = _entry(part)
        elif len(fields) == 2 and _looks_like_family(fields[0]) and _looks_like_given(fields[1]):
            entry = _pair_person(fields[0], fields[1])
        elif len(fields) == 3 and _is_suffix(fields[1]) and _looks_like_family(fields[0]):
            entry = _pair_person(fields[0], fields[2], fields[1])
        else:
            return None
        people.append(entry)
    return people


def _entry(name: str) -> ParsedName:
    """A person or a collaboration from one byline token (marks like ``*`` and ``#`` already in place)."""
    if _COLLAB_RE.search(name):
        return ParsedName(display_name=_COLLAB_PREFIX_RE.sub("", name).strip(), is_collaboration=True)
    corresponding, equal = "*" in name or "\u2709" in name, "#" in name
    name = _MARKS_RE.sub("", name)
    name = re.sub(r"(?<=[^\W\d_])\d+(?:,\d+)*$", "", name).strip(" ,.") if name[-1:].isdigit() else name.strip(" ,")
    given, family, suffix = _split_parts(name)
    display = " ".join(x for x in (given, family, suffix) if x)
    return ParsedName(display, given, family, corresponding, equal, affiliation=None, suffix=suffix)


def _first_last_list(masked: str, groups: list[str]) -> list[ParsedName]:
    """People of an arXiv-style "A. Author (Aff), B. Author and the X Collaboration" list."""
    block, notes = _footnotes(masked, groups)
    out: list[ParsedName] = []
    pending: list[ParsedName] = []  # people since the last written affiliation (arXiv: it applies to all of them)
    for _, token in _tokenise(masked):
        ids = [int(i) for i in _GROUP_RE.findall(token)]
        name = " ".join(_ET_AL_RE.sub(" ", _GROUP_RE.sub(" ", token)).split()).strip(" ,")
        current = None
        if name and _is_suffix(name) and out and not out[-1].is_collaboration and not out[-1].suffix:
            current = out[-1]
            current.suffix, current.display_name = name, f"{current.display_name} {name}"
        elif name and _MARKS_RE.sub("", name).strip():
            current = _entry(name)
            out.append(current)
            pending.extend([] if current.is_collaboration else [current])
        elif out and not out[-1].is_collaboration:
            current = out[-1]
        for gi in ids:
            pending = _apply_group(groups[gi], gi == block, notes, current, pending, out)
    return out


def _apply_group(
    content: str, is_block: bool, notes: dict[str, str], current: ParsedName | None, pending, out
) -> list[ParsedName]:
    """Attach one parenthesised group to the byline; returns the people still waiting for an affiliation."""
    text = " ".join(content.split())
    if is_block or not text or _NOTE_RE.search(text):
        return pending
    if _MARKER_RE.fullmatch(text):
        if current is not None and not current.is_collaboration:
            found = [notes[n] for n in re.findall(r"\d+", text) if n in notes]
            current.affiliation = "; ".join(found) or None
            return [p for p in pending if p is not current]
        return pending
    if re.search(r"\bcorresponding\b", text, re.I):
        if current is not None:
            current.is_corresponding = True
        return pending
    if re.search(r"\b(?:collaboration|consortium)\b", text, re.I):
        out.append(ParsedName(display_name=_COLLAB_PREFIX_RE.sub("", text).strip(), is_collaboration=True))
        return pending
    for person in pending or ([current] if current and not current.is_collaboration else []):
        person.affiliation = person.affiliation or text
    return []


def parse_author_list(text: str) -> list[ParsedName]:
    """The people (and collaborations) of an author string, in byline order.

    Understands arXiv/"natural" lists (``A, B and C``, ``A, B, and C``, ``&``), flat "Last, First" lists,
    BibTeX lists (``Last, First and First Last``), LaTeX accents, footnote marks (``*`` corresponding,
    ``#`` equal contribution; ``†`` ``‡`` dropped), notes such as ``(Alphabetic order)``, "et al",
    collaborations and arXiv affiliations in parentheses (``J. Smith (MIT)``; ``A (1), B (2) ((1) X, (2) Y)``).
    A written affiliation applies to every preceding author still without one, as arXiv's convention has it.
    A list of exactly two single words (``Sudha, Rao``) is ambiguous and read as "Last, First".

    >>> [p.display_name for p in parse_author_list("A. Author, B. Author, and C. Author")]
    ['A. Author', 'B. Author', 'C. Author']
    >>> [(p.display_name, p.is_corresponding, p.equal_contribution) for p in parse_author_list("Yaoyu Zhang*, Tao Luo#")]
    [('Yaoyu Zhang', True, False), ('Tao Luo', False, True)]
    >>> [(p.family, p.affiliation) for p in parse_author_list("J. Smith (MIT), K. Lee (Caltech)")]
    [('Smith', 'MIT'), ('Lee', 'Caltech')]
    >>> [(p.display_name, p.is_collaboration) for p in parse_author_list("J. Junkersfeld, for the CB-ELSA collaboration")]
    [('J. Junkersfeld', False), ('CB-ELSA collaboration', True)]
    """
    text = _clean_list_text(text)
    if not text:
        return []
    masked, groups = _mask_groups(text)
    if not groups:
        found = _bibtex_list(masked) or _last_first_list(_tokenise(masked))
        if found is not None:
            return found
    return _first_last_list(masked, groups)


def author_list_truncated(text: str) -> bool:
    """Whether the author string admits to listing only some authors ("et al", BibTeX "and others").

    >>> author_list_truncated("F. Aharonian, et al"), author_list_truncated("Zhang, Yaoyu and others")
    (True, True)
    """
    masked, _ = _mask_groups(_clean_list_text(text))
    return bool(re.search(r"\bet\.?\s*al\b|\band\s+others\s*$", masked, re.I))


def _split_bibtex_and(field: str) -> list[str]:
    """Parts of a BibTeX name list split on `` and `` outside braces."""
    parts, buf, depth = [], [], 0
    tokens = re.split(r"(\s+and\s+|[{}])", field)
    for tok in tokens:
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and re.fullmatch(r"\s+and\s+", tok or ""):
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(tok or "")
    parts.append("".join(buf))
    return [" ".join(p.split()) for p in parts if p.strip()]


def _wholly_braced(text: str) -> bool:
    """Whether the brace opened by the first character closes at the last one (``{ACME Corp}``)."""
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def parse_bibtex_names(field: str) -> list[ParsedName]:
    """People of a BibTeX ``author``/``editor`` field, splitting on ``and`` outside braces.

    Each part is "First von Last", "von Last, First" or "von Last, Jr, First"; a part wholly in braces is a
    corporate author (a collaboration or organisation: ``is_collaboration``); "and others" is dropped.

    >>> [(p.given, p.family) for p in parse_bibtex_names(r"Zhang, Yaoyu and Zhi-Qin John Xu and van der Tak, F.")]
    [('Yaoyu', 'Zhang'), ('Zhi-Qin John', 'Xu'), ('F.', 'van der Tak')]
    >>> [(p.display_name, p.is_collaboration) for p in parse_bibtex_names(r"{\\"U}nal, Ali and {Barnes and Noble}")]
    [('Ali Ünal', False), ('Barnes and Noble', True)]
    """
    out = []
    for part in _split_bibtex_and(field):
        if part.casefold() == "others":
            continue
        if _wholly_braced(part):
            out.append(ParsedName(display_name=" ".join(latex_to_unicode(part[1:-1]).split()), is_collaboration=True))
        else:
            out.append(_entry(_clean_list_text(part)))
    return out

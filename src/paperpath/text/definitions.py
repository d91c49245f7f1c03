"""Mine term definitions and acronyms from paper text.

The reading guide shows, next to the built-in glossary, definitions found in the library itself:
sentences such as "We propose LoRA, a method that ..." or "Edge learning refers to ...". A
beginner reads these, so every rule here favours precision over recall: a sentence is only mined
when its shape leaves little doubt about which words are the term and which are the definition,
and candidates whose subject is a pronoun, a generic noun ("our method") or the paper itself,
whose definition is negated, evaluative ("X is a key challenge") or too thin, are dropped.

Acronyms are found with the Schwartz–Hearst algorithm (Schwartz & Hearst, PSB 2003), with a
scored alignment instead of its greedy one so that "Fusion Latent for Optical Reconstruction
(FLoRA)" expands from "Fusion", not from "for".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from paperpath.text.latex import strip_latex
from paperpath.text.sentences import split_sentences
from paperpath.text.tokens import stem_phrase

# Work caps: full texts can be megabytes; definitions cluster early (abstract, introduction).
MAX_CHARS = 200_000
MAX_SENTENCE_CHARS = 600
MAX_DEFINITION_CHARS = 300
MAX_TERM_WORDS = 6
MAX_TERM_CHARS = 80


@dataclass(frozen=True)
class MinedDefinition:
    """A term and the text that defines it, with the sentence it came from.

    ``alias`` is the other name given in parentheses next to the term ("X (Y), a ..."), or "".
    """

    term: str
    definition: str
    sentence: str
    pattern: str
    alias: str = ""


# --------------------------------------------------------------------------- word lists

# A term never starts with these (pronouns, determiners, possessives, discourse words).
_BAD_FIRST = frozenset(
    """this these that those it its they their them he she his her our ours we us i my your
    you such each every one another other others both all any some many most several few
    which what who whom whose where when why how there here the then thus hence however
    moreover furthermore additionally also finally first second third next last recent
    recently today currently overall specifically notably importantly consequently
    meanwhile nevertheless nonetheless instead similarly likewise still yet and or but if
    while whereas although though because since as so to in on at by for of from with
    without into onto over under after before during among between through via
    given using based unlike despite beyond both either neither no not only just even please
    readers reader interested therefore accordingly subsequently nowadays traditionally
    historically conversely alternatively ultimately crucially interestingly surprisingly
    unfortunately fortunately indeed later earlier again otherwise""".split()
)
# Words that never belong inside a term (verbs, pronouns, negations, modals).
_BAD_INSIDE = frozenset(
    """is are was were be been being am has have had do does did can could will would shall
    should may might must we our us i you they them it its this these those he she not no
    never which who whom whose that than then there here thus hence very also only just
    when where while whereas because since although though if however""".split()
)
# Single words too generic (or about the paper itself) to be worth a definition.
_GENERIC = frozenset(
    """method methods approach approaches model models framework frameworks paper papers work
    works study studies system systems technique techniques algorithm algorithms solution
    solutions result results goal goals aim idea ideas task tasks problem problems challenge
    challenges contribution contributions key first second former latter proposal article
    thesis survey review report chapter section dataset datasets benchmark benchmarks tool
    tools architecture pipeline strategy strategies process analysis experiment experiments
    setting settings scenario issue issues question answer example examples case cases
    baseline baselines component module objective outcome output input step steps stage
    stages part parts version type types kind form way means thing things concept notion
    term terms definition procedure mechanism design library code implementation project
    application applications data information knowledge research field area domain topic
    one ours theirs everything something anything nothing""".split()
)
# Heads that make a sentence-initial subject a comment on the paper ("A distinguishing feature
# is ...", "The main contribution is ..."), never a term.
_COMMENT_HEADS = frozenset(
    """feature features advantage advantages novelty strength strengths highlight highlights
    innovation innovations difference differences benefit benefits drawback drawbacks weakness
    contribution contributions goal goals aim aims objective objectives idea result results
    outcome outcomes challenge challenges issue issues key core focus purpose motivation
    question questions answer solution output input step stage finding findings
    insight insights lesson lessons takeaway""".split()
)
# Heads/words that make a term about the paper itself.
_PAPER_WORDS = frozenset("paper work study article thesis manuscript chapter survey".split())
# Adjectives that open an evaluation, not a definition: "X is a key challenge in ...".
_EVALUATIVE = frozenset(
    """key crucial critical important essential fundamental central vital major significant
    promising challenging difficult hard nontrivial non-trivial popular powerful common
    widely well-known well-established long-standing longstanding growing emerging active
    open pressing persistent serious severe notorious notoriously prominent prevalent
    pervasive ubiquitous useful valuable interesting attractive appealing compelling great
    good better best bad poor natural necessary primary main core basic simple standard
    typical classic classical ideal effective efficient successful viable feasible
    practical pivotal indispensable integral increasingly highly rapidly fast
    well-studied understudied under-explored underexplored unexplored overlooked
    remarkable notable significant substantial considerable major minor rare frequent
    cornerstone hallmark bottleneck barrier obstacle limitation concern priority
    prerequisite step milestone trend outstanding excellent state-of-the-art leading dominant
    prevailing mainstream defining foundational complex distinct high-stakes safety-critical
    time-consuming labor-intensive labour-intensive costly expensive tedious error-prone
    intriguing exciting fascinating impressive unique""".split()
)
# Head nouns that make "X is a <head> ..." a judgement rather than a definition.
_JUDGEMENT_HEADS = frozenset(
    """challenge problem issue concern bottleneck barrier obstacle limitation step direction
    trend need priority goal question opportunity way means topic area focus subject
    tool choice option example case matter part aspect factor component cornerstone
    hallmark success failure breakthrough advance milestone paradigm shift""".split()
)
_AUX = frozenset(
    """is are was were be been has have had can could will would should may might must
    does do did shall""".split()
)
# Verbs that end a subject appositive and resume the main clause: "LoRA, a ..., reduces ...".
_CLAUSE_VERB = re.compile(
    r"(?:is|are|was|were|has|have|had|can|could|will|would|may|might|must|should|"
    r"does|do|did|remains?|becomes?|serves?|achieves?|outperforms?|demonstrates?|shows?|"
    r"yields?|improves?|reduces?|enables?|provides?|allows?|offers?|uses?|relies|rely|"
    r"requires?|suffers?|struggles?|fails?|performs?|obtains?|attains?|delivers?|"
    r"surpasses?|exhibits?|leverages?|employs?|consists?|comprises?|contains?|includes?|"
    r"supports?|introduces?|integrates?|combines?|learns?|generates?|produces?|"
    r"addresses?|tackles?|takes?|makes?|gets?|sets?|reaches?|maintains?|operates?|"
    r"works?|runs?|matches?|exceeds?|significantly|consistently|also|not|we|and\s+we|"
    r"while|whereas|but|thereby)\b"
)
# Markers after which "X is a <noun> ..." says what X is: "a method that", "a subfield of".
_STRONG_RELATIVE = frozenset(
    """that which who whose where whereby wherein of for designed used aimed consisting
    composed""".split()
)
# Words that let a clause after "called X" join the definition ("..., called X, which ...").
_TAIL_JOIN = frozenset(
    """that which who whose where whereby wherein for of to designed consisting comprising
    containing built trained based capable aimed tailored dedicated specialized targeting
    featuring covering spanning with""".split()
)
# Relative markers that start the informative part of a definition.
_RELATIVE = frozenset(
    """that which who whose where whereby wherein for of to in on with from by designed
    used based built trained consisting composed capable able aimed intended tailored
    specialized dedicated developed created constructed derived enabling allowing
    leveraging using combining integrating comprising containing featuring covering
    spanning targeting focusing focused grounded inspired driven""".split()
)

# --------------------------------------------------------------------------- regexes

# One token of a named term: it holds a capital or a digit ("LoRA", "GPT-4o", "Bucket-Level").
_NAME_TOKEN = re.compile(r"(?:[A-Z0-9][\w'.+/&-]*|[a-z][\w.+/&-]*[A-Z0-9][\w'.+/&-]*)")
# Lower-case words allowed between name tokens: "Mixture of Experts", "Learning to Rank".
_JOINERS = frozenset("of for and in on to with the a via as from".split())
_QUOTE_CHARS = "\"'“”‘’`«»"

# Verbs (and prepositions) after which "X, a ..." introduces X.
_INTRO = re.compile(
    r"(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|develop(?:s|ed)?|design(?:s|ed)?|"
    r"build|builds|built|construct(?:s|ed)?|release[sd]?|create[sd]?|curate[sd]?|"
    r"contribute[sd]?|offer(?:s|ed)?|devise[sd]?|establish(?:es|ed)?|formulate[sd]?|"
    r"describe[sd]?|use[sd]?|employ(?:s|ed)?|adopt(?:s|ed)?|leverage[sd]?|utili[sz]e[sd]?|"
    r"apply|applies|applied|call(?:s|ed)?|name[sd]?|dub(?:s|bed)?|term(?:s|ed)?|"
    r"coin(?:s|ed)?|namely|i\.e\.,?|extend(?:s|ed)?|implement(?:s|ed)?|train(?:s|ed)?|"
    r"open-source[sd]?|unveil(?:s|ed)?|launch(?:es|ed)?|report(?:s|ed)?|"
    r"evaluate[sd]? on|using|via|with|through|on|of|from|by)"
    r"(?:\s+(?:a\s+new|the\s+new|the))?\s*$",
)
# What may precede a sentence-initial "X, a ...": nothing, or one short lead-in phrase.
_SENTENCE_START = re.compile(
    r"^(?:(?:Here|Recently|Specifically|Concretely|Formally|To this end|To address this"
    r"(?: (?:gap|issue|problem|challenge|limitation))?|To fill this gap|In response|"
    r"To overcome (?:this|these) (?:limitations?|challenges?|issues?)|"
    r"In this (?:paper|work|study|article|letter)|Finally|Moreover|Furthermore|Additionally|"
    r"In addition|Therefore|Thus|Hence|Accordingly|Motivated by (?:this|these \w+)|"
    r"Building on (?:this|these \w+)|Inspired by (?:this|these \w+)),\s*)?$"
)
_APPOSITIVE = re.compile(r", (?P<det>an?|the first) ")
_APPOSITIVE_PUNCT = re.compile(r"(?::| [-–—]{1,2}) (?P<det>an?|the first) ")
_CALLED = re.compile(
    r"\b(?P<det>an?)\s+(?P<np>[^,;:()]{3,150}?),?\s+(?:called|named|dubbed|termed|coined)\s+"
)
_COPULA = re.compile(
    r"(?:(?:Formally|Here|Essentially|Broadly|Simply put|In short|Intuitively|In general|"
    r"Generally|Briefly),\s+)?(?:(?:A|An)\s+)?(?P<term>[^,;:()]{1,80}?)"
    r"(?:\s*\((?P<paren>[^()]{1,100})\))?"
    r"\s+(?:is|are)\s+(?P<defn>(?:an?\s|the\s+(?:task|problem|process|study|practice|art|"
    r"science|field|branch|act|ability|capacity|tendency|discipline|family|class)\s+of\s).*)"
)
_REFERS = re.compile(
    r"(?:The\s+(?:term|notion|concept|phrase|expression|word)\s+(?:of\s+)?)?"
    r"(?:(?:A|An)\s+)?(?P<term>[^,;:()]{1,80}?)(?:\s*\((?P<paren>[^()]{1,100})\))?"
    r",?\s+(?:refers|refer|is\s+used\s+to\s+refer)\s+to\s+(?P<defn>.+)"
)
_DEFINED_AS = re.compile(
    r"(?:(?:A|An)\s+)?(?P<term>[^,;:()]{1,80}?)(?:\s*\((?P<paren>[^()]{1,100})\))?"
    r"\s+(?:is|are)\s+(?:formally\s+|commonly\s+|typically\s+|usually\s+|often\s+)?"
    r"defined\s+as\s+(?P<defn>.+)"
)
_WE_DEFINE = re.compile(r"(?:^|,\s+)[Ww]e\s+(?:formally\s+)?define\s+(?P<term>[^,;:()]{1,80}?)"
                        r"\s+as\s+(?P<defn>.+)")
_WE_CALL = re.compile(
    r"(?:,\s*(?:which|that)\s+|\s+(?:which|that)\s+|,?\s+)we\s+(?:call|term|dub|name|coin|"
    r"refer\s+to\s+as|denote\s+as|describe\s+as)\s+(?:as\s+|it\s+)?"
)
_KNOWN_AS = re.compile(
    r",?\s+(?:(?:commonly|often|widely|collectively|formally|generally|usually|sometimes|now|"
    r"popularly)\s+)?known\s+as\s+"
)
# Words that end a term written after "known as" / "we call".
_TERM_END = frozenset(
    """in that which where and or for to is are was were has have can may with by from on
    during because since while as at when whereby wherein""".split()
)
_ACRONYM_PAREN = re.compile(r"\(([^()]{1,120})\)")
_NEGATION = re.compile(r"\b(?:not|never|no\s+longer|neither|nor)\b|n't\b")
_SPACE = re.compile(r"\s+")
_DANGLING = re.compile(r"[\s,]+(?:such\s+as|including|like|e\.g|i\.e|and|or|with|of|for|to|"
                       r"the|a|an)$")
# Cross-references and numbers are never terms: "Algorithm 1", "Table 3", "392.54s", "X".
_NOT_A_TERM = re.compile(
    r"(?:(?:Algorithm|Table|Figure|Fig|Section|Sec|Eq|Equation|Theorem|Lemma|Corollary|"
    r"Proposition|Definition|Appendix|Step|Stage|Phase|Part|Chapter|Example|Case|Task|"
    r"Setting|Experiment|Model|Method|Dataset|Version|Level|Type)\.?\s+[\dA-Z][\w.]*|"
    r"\W*\w\W*|[\d\s.,:%x×/+-]+[a-zA-Z%]{0,2}|.*\d\s+to\s+\d.*)$"
)
_TRAILING = re.compile(r"[\s,;:.\-–—]+$")
# Where a definition that runs on to the end of its sentence should stop.
_DEF_STOP = re.compile(
    r";\s|\s[-–—]{1,2}\s|\s\(e\.g\.|,\s+(?:and\s+)?(?:we|our)\s|\.\s|(?<=[A-Za-z]{2})\.(?=[A-Z][a-z]+\s)|"
    r",?\s+(?:and\s+)?\((?:ii|2|b)\)\s|,\s+(?:while|whereas|but|thereby|yet|not)\s|"
    r"\s+and\s+(?:is|are|was|were|has|have)\s|,\s+together\s+with\s|"
    # ", and REspEval, a ...": a second appositive; ", and use it to ...": a second verb.
    r",\s+and\s+(?=(?:[a-z]+\s+)?(?:the\s+)?[\w-]+(?:\s\([^()]*\))?,\s+an?\s)|"
    r",\s+and\s+(?:(?:use|apply|show|demonstrate|evaluate|find|release|conduct|propose|"
    r"introduce|present|develop)s?\s|\w+\s+(?:it|them|its|their)\s)|"
    r",\s+and\s+(?=(?:the\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*(?:\s\([^()]*\))?,\s)|"
    r",\s+(?:on|in|across|over)\s+(?:this|these|our|both|all|each)\s"
)
# "... developed to address this gap": the definition leans on the previous sentence.
_ANAPHORA = re.compile(
    r"\b(?:this|these|such|aforementioned|above-mentioned|above)\s+(?:\w+\s+)?"
    r"(?:gaps?|issues?|problems?|challenges?|limitations?|needs?|shortcomings?|questions?|"
    r"approach(?:es)?|methods?|frameworks?|models?|ideas?|paradigms?|directions?|designs?|"
    r"concepts?|phenomen(?:on|a)|observations?|findings?|insights?|goals?|"
    r"tasks?|settings?|scenarios?|difficult(?:y|ies)|concerns?|drawbacks?|bottlenecks?)\b|"
    r"\b(?:outlined|mentioned|described|discussed|noted)\s+(?:above|earlier|before)\b"
)
_ANAPHORA_CLAUSE = re.compile(r"(?:,|\s(?:that|which|to|designed|developed|aimed|intended|"
                              r"proposed|built|created|tailored)\s)")
# Fluff adjectives and generic heads that carry no meaning in a definition.
_FLUFF = frozenset(
    """novel new simple effective unified general generic efficient lightweight robust
    scalable flexible powerful comprehensive versatile practical principled straightforward
    innovative first holistic systematic modular plug-and-play elegant yet and an a the
    training-free""".split()
)

# --------------------------------------------------------------------------- helpers


def _clean_term(term: str) -> str:
    term = _SPACE.sub(" ", term).strip().strip(_QUOTE_CHARS).strip()
    return _TRAILING.sub("", term).strip(_QUOTE_CHARS).strip()


def _term_ok(term: str, *, named: bool = False) -> bool:
    """Whether ``term`` looks like a real term: short, no pronoun/verb, not generic."""
    if not term or len(term) > MAX_TERM_CHARS or not any(c.isalpha() for c in term):
        return False
    if " - " in term or "–" in term or "—" in term or "--" in term or _NOT_A_TERM.match(term):
        return False
    lower = [t.lower().strip(_QUOTE_CHARS) for t in term.split()]
    if len(lower) > MAX_TERM_WORDS or lower[0] in _BAD_FIRST or lower[-1] in _BAD_FIRST:
        return False
    if any(t in _BAD_INSIDE for t in lower):
        return False
    if len(lower) == 1 and lower[0] in _GENERIC:
        return False
    if lower[0].endswith("ly") and len(lower[0]) > 4:  # adverbs: "Recently", "Formally"
        return False
    if named:
        return True
    if any(t in _PAPER_WORDS for t in lower):
        return False
    if all(t in _GENERIC or t in _FLUFF for t in lower) or lower[-1] in _COMMENT_HEADS:
        return False
    # "The proposed method", "Our new model" and the like are about the paper, not a term.
    return not any(t in {"proposed", "presented", "introduced", "novel", "new"} for t in lower)


def _trim(text: str) -> str:
    """Cut a definition at a clause end or at ~300 characters on a word boundary."""
    text = _SPACE.sub(" ", text).strip().replace("``", "\"").replace("''", "\"")
    text = text.replace("(, ", "(")  # "(\\ie, ...)" after an unknown macro was dropped
    match = _DEF_STOP.search(text)
    if match:
        text = text[: match.start()]
    match = _ANAPHORA.search(text)
    if match:
        cuts = [m.start() for m in _ANAPHORA_CLAUSE.finditer(text, 0, match.start())]
        text = text[: cuts[-1]] if cuts else ""
    if text.count("(") > text.count(")"):  # cut inside a parenthesis: drop its opening
        text = text[: text.rfind("(")]
    text = _DANGLING.sub("", text)
    text = _TRAILING.sub("", text).strip()
    if len(text) > MAX_DEFINITION_CHARS:
        cut = text.rfind(" ", 0, MAX_DEFINITION_CHARS - 1)
        text = _TRAILING.sub("", text[: cut if cut > 0 else MAX_DEFINITION_CHARS - 1]) + "…"
    return text


def _np_ok(words: list[str]) -> bool:
    """The noun phrase after "a/an" is not itself a clause ("In X, a mask is computed")."""
    for word in words[:10]:
        low = word.lower().strip(",")
        if low in _RELATIVE:
            return True
        if low in _AUX or low in {"we", "it", "they"}:
            return False
    return True


def _evaluative(words: list[str]) -> bool:
    """Whether a noun phrase opens a judgement ("key challenge", "socially sensitive task")."""
    for word in words[:6]:
        low = word.lower().strip(",")
        if low in _RELATIVE:
            break
        if (low in _EVALUATIVE or low in _JUDGEMENT_HEADS or low in {"more", "less", "very",
                                                                        "most", "increasingly"}
                or (low.endswith("ly") and len(low) > 4)):
            return True
    return False


def _informative(defn: str) -> bool:
    """A definition says more than "a method" or "a new unified framework"."""
    words = defn.split()
    content = [w for w in words if w.lower().strip(",") not in _FLUFF
               and w.lower().strip(",") not in _GENERIC and w.lower() not in _BAD_FIRST]
    if len(words) < 3 or len(content) < 2:
        return False
    return not _NEGATION.search(" ".join(words[:6]))


def _subject_clause_end(rest: str) -> str | None:
    """For "X, a ..., <verb> ..." keep only the appositive "a ...".

    None when no main verb follows: then "a ..." was the subject of the sentence
    ("Therefore, a better model is needed").
    """
    for match in re.finditer(r",\s+", rest):
        if _CLAUSE_VERB.match(rest, match.end()):
            return rest[: match.start()]
    return None


def _name_before(sentence: str, end: int) -> tuple[str, str, str] | None:
    """The named term that ends at ``end``, with its "(alias)": (before, term, alias)."""
    chunk = sentence[:end].rstrip()
    alias = ""
    if chunk.endswith(")"):
        opening = chunk.rfind("(")
        if opening < 0 or end - opening > 110:
            return None
        alias = chunk[opening + 1:-1]
        chunk = chunk[:opening].rstrip()
    tokens = chunk[-160:].split(" ")
    taken = 0
    i = len(tokens) - 1
    while i >= 0 and taken < MAX_TERM_WORDS + 2:
        token = tokens[i].strip(_QUOTE_CHARS)
        if token and _NAME_TOKEN.fullmatch(token):
            taken += 1
        elif not (taken and tokens[i] in _JOINERS and i > 0
                  and _NAME_TOKEN.fullmatch(tokens[i - 1].strip(_QUOTE_CHARS))):
            break
        i -= 1
    if not taken:
        return None
    term = " ".join(tokens[i + 1:])
    before = chunk[: len(chunk) - len(term)]
    return before, term, alias


# --------------------------------------------------------------------------- patterns


def _appositive(sentence: str) -> list[MinedDefinition]:
    """ "We propose X (Y), a framework that ..." and "X, a method that ..., improves ..."."""
    out: list[MinedDefinition] = []
    matches = list(_APPOSITIVE.finditer(sentence))
    if ": a" in sentence or "- a" in sentence or "— a" in sentence or "– a" in sentence:
        matches += list(_APPOSITIVE_PUNCT.finditer(sentence))
    for match in matches:
        found = _name_before(sentence, match.start())
        if not found:
            continue
        before, raw_term, alias = found
        at_start = bool(_SENTENCE_START.match(before))
        if not at_start and not _INTRO.search(before[-40:]):
            continue
        term = _clean_term(raw_term)
        if not _term_ok(term, named=True):
            continue
        rest = sentence[match.end():]
        if at_start:
            # A sentence-initial subject must look like a name ("LoRA", "GPT-4", "Deep
            # Sets"), not a discourse word ("Therefore, a ...").
            if len(term.split()) == 1 and sum(c.isupper() or c.isdigit() for c in term) < 2:
                continue
            cut = _subject_clause_end(rest)
            if cut is None:
                continue
            rest = cut
        words = rest.split()
        if not words or not _np_ok(words):
            continue
        defn = _trim(f"{match.group('det')} {rest}")
        if _informative(defn):
            out.append(MinedDefinition(term, defn, sentence, "appositive", _clean_term(alias)))
    return out


def _called(sentence: str) -> list[MinedDefinition]:
    """ "a framework called X that ..." and "a method, dubbed X, which ..."."""
    match = _CALLED.search(sentence)
    if not match:
        return []
    after = sentence[match.end():]
    name = _name_after(after, named=True)
    if not name:
        return []
    term, tail = name
    np_words = match.group("np").split()
    if not _np_ok(np_words) or _evaluative(np_words[:1]):
        return []
    head = []
    for word in np_words:
        if word.lower() in {"that", "which", "who", "whose", "where"}:
            break
        head.append(word)
    if _has_verb(head):  # "an instance-oriented view and propose a novel model called X"
        return []
    alias = ""
    tail = tail.lstrip()
    if tail.startswith("("):
        close = tail.find(")")
        alias, tail = tail[1:close], tail[close + 1:]
    tail = tail.lstrip(" ,-–—")
    defn = f"{match.group('det')} {' '.join(np_words)}"
    if tail.split(" ", 1)[0].lower() in _TAIL_JOIN:
        defn = f"{defn} {tail}"
    defn = _trim(defn)
    if not _informative(defn):
        return []
    return [MinedDefinition(term, defn, sentence, "called", _clean_term(alias))]


def _copula(sentence: str) -> list[MinedDefinition]:
    """ "X is a <kind of thing> that ..." and "X is the task of ..."."""
    match = _COPULA.match(sentence)
    if not match:
        return []
    term = _clean_term(match.group("term"))
    if not _term_ok(term):
        return []
    defn = match.group("defn")
    words = defn.split()
    # "is the task of ..." is always definitional; "is a ..." must not be a judgement and
    # must go on to say what kind of thing X is ("a method that ...", "a subfield of ...").
    if words[0].lower() in {"a", "an"}:
        if _evaluative(words[1:]) or not _np_ok(words[1:]):
            return []
        if not any(w.lower() in _STRONG_RELATIVE for w in words[2:8]):
            return []
    defn = _trim(defn)
    if len(defn.split()) < 4 or not _informative(defn):
        return []
    return [MinedDefinition(term, defn, sentence, "copula",
                            _clean_term(match.group("paren") or ""))]


def _simple(sentence: str, regex: re.Pattern[str], pattern: str) -> list[MinedDefinition]:
    """ "X refers to ...", "X is defined as ...", "We define X as ..."."""
    match = regex.match(sentence) if pattern != "we-define" else regex.search(sentence)
    if not match:
        return []
    term = _clean_term(re.sub(r"^(?:an?|the)\s+", "", match.group("term")))
    if not _term_ok(term):
        return []
    defn = _trim(match.group("defn"))
    if not _informative(defn):
        return []
    paren = match.groupdict().get("paren") or ""
    return [MinedDefinition(term, defn, sentence, pattern, _clean_term(paren))]


def _name_after(text: str, *, named: bool = False,
                glued_dash: bool = False) -> tuple[str, str] | None:
    """The term that starts ``text`` (after "known as", "called"...) and the text after it.

    ``glued_dash``: the sentence uses "-" as a dash ("...-a phenomenon known as X-which"), so
    a hyphen ends the term.
    """
    text = text.lstrip()
    for article in ("the ", "a ", "an "):
        if text.startswith(article):
            text = text[len(article):]
            break
    end = len(text)
    for i, char in enumerate(text):
        if char in ",;:()–—" or (char == "." and not text[i + 1:i + 2].isdigit()):
            end = i
            break
        if char == "-" and (glued_dash or text.startswith("- ", i) or text.startswith("--", i)):
            end = i
            break
    words = text[:end].split(" ")
    cut = len(words)
    for i, word in enumerate(words):
        if i and word.lower() in _TERM_END:
            # "Generalized Enhancement For Understanding": a joiner inside a title-case name.
            if (word.lower() in _JOINERS and words[0][:1].isupper() and i + 1 < len(words)
                    and words[i + 1][:1].isupper()):
                continue
            cut = i
            break
    if cut > MAX_TERM_WORDS:
        return None
    raw = " ".join(words[:cut])
    term = _clean_term(raw)
    if not _term_ok(term, named=named or term[:1].isupper()) or term.lower() in _GENERIC:
        return None
    if named and not all(_NAME_TOKEN.fullmatch(w.strip(_QUOTE_CHARS)) or w in _JOINERS
                         for w in term.split()):
        return None
    return term, text[len(raw):]


# Heads of a short noun phrase that only names a category: "a phenomenon we call X".
_CATEGORY_HEADS = frozenset(
    """phenomenon phenomena effect behavior behaviour problem issue failure mode property
    paradigm practice process setting bias strategy pattern trend class risk risks
    vulnerability challenge limitation tendency situation condition regime concept
    capability ability""".split()
)
_CONNECTIVE = re.compile(
    r"^(?:(?:However|Moreover|Furthermore|Yet|Still|Unfortunately|In practice|In particular|"
    r"Consequently|As a result|Notably|Interestingly|Surprisingly|Often|Typically|Yet|"
    r"Importantly|Critically|Crucially),\s+)?(?:(?:we|We)\s+(?:show|find|observe|identify|"
    r"reveal|demonstrate|discover|argue|note|uncover|hypothesi[sz]e)\s+that\s+)?"
)
_VERB_TAGS = frozenset({"VB", "VBZ", "VBD", "VBP", "MD"})
# "a form of X", "a class of X": still only a category.
_CATEGORY_NOUNS = frozenset("form type kind class family variant sort category set".split())
_REPORTING = re.compile(r"\b(?:suggest|show|argue|find|found|note|observe|reveal|demonstrate|"
                        r"claim|believe|know|known|shown)(?:s|ed)?\s+(?:that|to)\b")
_ANAPHORIC = frozenset("this these such its their his her our".split())
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")


def _has_verb(words: list[str]) -> bool:
    from paperpath.text.postag import tag  # lazy: loads a lexicon, needed for rare patterns

    return any(t in _VERB_TAGS for t in tag([w.strip(",.") for w in words]))


def _preceding_clause(before: str) -> str | None:
    """The clause that a trailing ", a phenomenon (known as X)" sums up, cleaned."""
    clause = _CONNECTIVE.sub("", before.strip(" ,-–—"), count=1)
    # One plain clause only: "A, yet B", "A; B" or "X suggests that A" are too tangled.
    if any(p in clause for p in ",;:") or _REPORTING.search(clause):
        return None
    words = clause.split()
    if _evaluative(words[:3]):
        return None
    if not 4 <= len(words) <= 40 or words[0].lower() in _BAD_FIRST - {"the", "some", "many"}:
        return None
    if "," in clause and words[0][:1].isupper() and words[0].lower() in _BAD_FIRST:
        return None
    return clause[0].upper() + clause[1:] if words[0][:1].isupper() else clause


def _named_after(sentence: str, regex: re.Pattern[str], pattern: str) -> list[MinedDefinition]:
    """ "<noun phrase>, known as X" / "<noun phrase>, which we call X" / "..., a phenomenon
    we term X, where ..." / "<clause>, a phenomenon known as X"."""
    match = regex.search(sentence)
    if not match:
        return []
    glued = bool(re.search(r"\w-an?\s+\w+(?:\s+\w+)?\s*$", sentence[: match.start()]))
    name = _name_after(sentence[match.end():], glued_dash=glued)
    if not name:
        return []
    term, tail = name
    before = sentence[: match.start()]
    if before.count("(") > before.count(")"):  # "(previously known as Facebook)"
        return []
    before = _PARENTHETICAL.sub("", before)
    copular = re.search(r"\s+(?:is|are)$", before)
    if copular:  # "<subject> is known as X"
        before = before[: copular.start()]
    parts = re.split(r"([,;:]\s|\s[-–—]{1,2}\s|-(?=an?\s))", before)
    segment = parts[-1]
    words = segment.split()
    dets = [i for i, w in enumerate(words) if w.lower() in {"a", "an", "the"}]
    if not dets or (dets[0] and words[dets[0] - 1].lower() in _ANAPHORIC) or ". " in segment:
        return []
    tail = re.sub(r"^\s*(?:\([^()]*\))?\s*(?:[,:]|\s[-–—]{1,2})?\s*", "", tail)
    first_tail = tail.split(" ", 1)[0].lower()
    last_np = words[dets[-1]:]
    defn: str | None = None
    explained = re.match(r"(?:referring\s+to|i\.e\.,?|defined\s+as)\s+(.{12,})", tail)
    if explained:  # "..., which we term X, referring to the generation of ..."
        defn = explained.group(1)
    elif len(last_np) <= 3 or (len(last_np) <= 5 and (
            last_np[-1].lower() in _CATEGORY_HEADS or last_np[1].lower() in _CATEGORY_NOUNS)):
        # A thin noun phrase ("a phenomenon"): the words around it carry the meaning.
        if _has_verb(last_np) or any(w.lower() in _EVALUATIVE for w in last_np):
            return []
        if first_tail in {"where", "whereby", "wherein"} or tail.startswith("in which"):
            defn = f"{' '.join(last_np)} {tail}"
        elif dets[-1] == 0 and len(parts) >= 3 and not copular:
            defn = _preceding_clause("".join(parts[:-2]))
    else:
        # A full noun phrase: one determiner (more only inside "of the ..."), no verb.
        np_words = words[dets[0]:]
        # The phrase must be a whole argument ("we build a ...", "applied to a ..."), not
        # the tail of a longer one ("methods for the material point method").
        if dets[0]:
            previous = words[dets[0] - 1].lower()
            if previous not in {"as", "into", "to", "using", "via"} and not _has_verb([previous]):
                return []
        extra = [i for i in dets[1:] if words[i - 1].lower() != "of"]
        if (extra or _has_verb(np_words) or _evaluative(np_words[1:])
                or any(w.lower() in _ANAPHORIC for w in np_words)):
            return []
        defn = " ".join(np_words)
        if first_tail in {"where", "whereby", "wherein"}:
            defn = f"{defn} {tail}"
    if not defn:
        return []
    defn = _trim(defn)
    if not _informative(defn):
        return []
    return [MinedDefinition(term, defn, sentence, pattern)]


# Cheap gates (a literal first character keeps these scans fast) before the real patterns.
_CALLED_GATE = re.compile(r" (?:called|named|dubbed|termed|coined) ")
_WE_CALL_GATE = re.compile(r"we (?:call|term|dub|name|coin|refer to|denote|describe) ")
_COPULA_GATE = re.compile(r" (?:is|are) (?:an? |the )")


def _mine_sentence(sentence: str) -> list[MinedDefinition]:
    if len(sentence) > MAX_SENTENCE_CHARS or "?" in sentence:
        return []
    found: list[MinedDefinition] = []
    if (", a" in sentence or ", the first" in sentence or ": a" in sentence or "- a" in sentence
            or "— a" in sentence or "– a" in sentence):
        found = _appositive(sentence)
    if not found and _CALLED_GATE.search(sentence):
        found = _called(sentence)
    if found:
        return found
    if _COPULA_GATE.search(sentence, 0, 140):
        found = _copula(sentence)
    if not found and "defined as" in sentence:
        found = _simple(sentence, _DEFINED_AS, "defined-as")
    if not found and "refer" in sentence:
        found = _simple(sentence, _REFERS, "refers-to")
    if not found and "e define " in sentence:
        found = _simple(sentence, _WE_DEFINE, "we-define")
    if not found and "known as" in sentence and "also known" not in sentence:
        found = _named_after(sentence, _KNOWN_AS, "known-as")
    if not found and _WE_CALL_GATE.search(sentence):
        found = _named_after(sentence, _WE_CALL, "we-call")
    return found


def mine_definitions(text: str) -> list[MinedDefinition]:
    """Definitions stated in ``text`` (an abstract or a full text), in order, one per term.

    >>> [(d.term, d.definition) for d in mine_definitions(
    ...     "We propose FooNet, a network that maps graphs to trees.")]
    [('FooNet', 'a network that maps graphs to trees')]
    """
    if not text:
        return []
    return _mine(split_sentences(strip_latex(text[:MAX_CHARS])))


def mine_prepared(text: str, split: list[str]) -> list[MinedDefinition]:
    """``mine_definitions(text)`` for a caller that already has
    ``split_sentences(strip_latex(text))`` (the precompute shares it between models)."""
    if not text:
        return []
    if len(text) > MAX_CHARS:  # only the opening is read: other sentences
        return mine_definitions(text)
    return _mine(split)


def _mine(sentences: list[str]) -> list[MinedDefinition]:
    out: list[MinedDefinition] = []
    seen: set[str] = set()
    for sentence in sentences:
        for found in _mine_sentence(sentence):
            key = normalize_term(found.term)
            if key and key not in seen:
                seen.add(key)
                out.append(found)
    return out


# --------------------------------------------------------------------------- acronyms


def _short_form_ok(short: str) -> bool:
    if not 2 <= len(short) <= 10 or len(short.split()) > 2:
        return False
    if not short[0].isalnum() or not any(c.isupper() for c in short):
        return False
    letters = sum(c.isalpha() for c in short)
    return letters >= 2 and not short.lower().startswith(("e.g", "i.e", "fig", "eq", "see"))


def _align(short: str, long: str) -> tuple[int, int] | None:
    """Schwartz–Hearst matching of ``short``'s letters and digits inside ``long``.

    Every character of the short form must appear in order in the long form and the first
    must start a word; the long form starts at that word. Instead of the greedy right-to-left
    search, all alignments are scored (characters matched at word starts count most, earlier
    starts break ties towards fuller expansions) and the best one wins. Returns (start of
    the long form, number of word-initial matches) or None.
    """
    chars = [c.lower() for c in short if c.isalnum()]
    text = long.lower()
    n, m = len(chars), len(text)
    if not n or m <= n:
        return None

    # best(ci, pos): the most word-initial matches for chars[ci:] placed in order at
    # positions >= pos (-1: impossible). Computed from the last character back: per character,
    # its occurrences in ``text`` and the suffix maxima of what placing it at each one gives,
    # so best(ci, pos) is one bisection (a dynamic programme, not a memoised search).
    occurrences: list[list[int]] = [[] for _ in range(n + 1)]
    suffix_best: list[list[int]] = [[] for _ in range(n + 1)]
    for ci in range(n - 1, 0, -1):
        char = chars[ci]
        places: list[int] = []
        i = text.find(char)
        while i != -1:
            places.append(i)
            i = text.find(char, i + 1)
        values: list[int] = []
        for i in places:
            sub = _best(ci + 1, i + 1, n, occurrences, suffix_best)
            values.append(sub + (1 if i == 0 or not text[i - 1].isalnum() else 0)
                          if sub >= 0 else -1)
        for k in range(len(values) - 2, -1, -1):
            values[k] = max(values[k], values[k + 1])
        occurrences[ci], suffix_best[ci] = places, values

    first = chars[0]
    choice: tuple[int, int] | None = None
    i = text.find(first)
    while i != -1:
        if i == 0 or text[i - 1] == " ":  # a whole word, not "modal" in "multi-modal"
            sub = _best(1, i + 1, n, occurrences, suffix_best)
            # Prefer more word-initial matches; among equals the later, shorter one, as
            # Schwartz–Hearst does ("leveraged large language models (LLMs)").
            if sub >= 0 and (choice is None or sub + 1 >= choice[1]):
                choice = (i, sub + 1)
        i = text.find(first, i + 1)
    return choice


def _best(ci: int, pos: int, n: int, occurrences: list[list[int]],
          suffix_best: list[list[int]]) -> int:
    """`_align`'s best(ci, pos) from its tables."""
    if ci == n:
        return 0
    places = occurrences[ci]
    k = bisect_left(places, pos)
    return suffix_best[ci][k] if k < len(places) else -1


def _long_form(short: str, candidate: str) -> str | None:
    """The expansion of ``short`` at the end of ``candidate`` (the words before "(")."""
    words = candidate.split()
    limit = min(len(short) + 5, len(short) * 2)
    window = " ".join(words[-limit:])
    aligned = _align(short, window)
    if aligned is None:
        return None
    start, initials = aligned
    long = window[start:].strip(" -")
    lw = long.split()
    if short.lower() in long.lower() or len(long) <= len(short) or len(lw) > limit:
        return None
    # Letter matching alone accepts "the model (TM)"-style accidents with one initial in a
    # long phrase; ask for a word start per two words (Schwartz–Hearst's own bound is looser).
    if initials * 2 < min(len(lw), sum(c.isalpha() for c in short)):
        return None
    if lw[0].lower() in _BAD_FIRST and len(lw) > 1:
        return None
    if len(lw) == 1 and len(long) < 3 * len(short):  # "kind (KD)"; "Autoregressive (AR)" is fine
        return None
    return long


def _candidate_before(text: str, end: int) -> str:
    """The words before a parenthesis, back to the last clause punctuation."""
    start = max(0, end - 200)
    chunk = text[start:end]
    cut = max(chunk.rfind(p) for p in (",", ";", ":", ".", "(", ")", "[", "]", "\"", "“", "”"))
    return chunk[cut + 1:] if cut >= 0 else chunk


def find_acronyms(text: str) -> dict[str, str]:
    """Acronym → expansion for "long form (LF)" and "LF (long form)" in ``text``.

    >>> find_acronyms("We use Low-Rank Adaptation (LoRA) on large language models (LLMs).")
    {'LoRA': 'Low-Rank Adaptation', 'LLMs': 'large language models'}
    """
    if not text or "(" not in text:
        return {}
    text = " ".join(strip_latex(text[:MAX_CHARS]).split())
    found: dict[str, str] = {}
    for match in _ACRONYM_PAREN.finditer(text):
        inside = match.group(1).strip()
        # "(LoRA; Hu et al.)", "(LoRA, 2021)": the short form is what comes before ; or ,.
        inside_sf = re.split(r"[;,]\s", inside, maxsplit=1)[0].strip()
        if _short_form_ok(inside_sf):
            before = _candidate_before(text, match.start())
            long = _long_form(inside_sf, before)
            if long and inside_sf not in found:
                found[inside_sf] = long
            continue
        # Reverse order, "FLoRA (Fusion Latent for ...)": the parenthesis is the long form and
        # must be matched from its first word.
        if len(inside.split()) < 2:
            continue
        word = re.search(r"([\w.+/-]+)\s*$", text[max(0, match.start() - 40):match.start()])
        if not word:
            continue
        short = word.group(1).strip(".")
        if not _short_form_ok(short) or short in found:
            continue
        aligned = _align(short, inside)
        if aligned and aligned[0] == 0 and short.lower() not in inside.lower():
            lw = inside.split()
            if len(lw) <= min(len(short) + 5, len(short) * 2) and aligned[1] * 2 >= min(
                len(lw), sum(c.isalpha() for c in short)
            ):
                found[short] = inside
    return found


# --------------------------------------------------------------------------- grouping


def normalize_term(term: str) -> str:
    """Grouping key for a term: lower-case Porter stems, quotes and a trailing "(...)" dropped.

    >>> normalize_term("Large Language Models (LLMs)") == normalize_term("large language model")
    True
    """
    term = re.sub(r"\s*\([^()]*\)\s*$", "", term)
    return stem_phrase(term.strip(_QUOTE_CHARS))

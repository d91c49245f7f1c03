"""Turn the LaTeX that arXiv abstracts carry into plain readable text.

Abstracts hold inline math (``$\\alpha$``), citations and formatting commands. The reading
guide reads sentences and words, so math becomes its Unicode look-alike where one exists and
markup disappears; nothing here tries to render real LaTeX.
"""

from __future__ import annotations

import re

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
_SYMBOLS = {
    "times": "×", "cdot": "·", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "approx": "≈", "sim": "~", "infty": "∞", "rightarrow": "→", "to": "→", "leftarrow": "←",
    "pm": "±", "in": "∈", "sqrt": "√", "sum": "Σ", "log": "log", "ell": "ℓ", "partial": "∂",
    "nabla": "∇", "mathbb": "", "mathcal": "", "mathbf": "", "mathrm": "", "boldsymbol": "",
    "textrm": "", "operatorname": "", "left": "", "right": "", "%": "%", "&": "&", "_": "_",
    "ldots": "…", "dots": "…", "cdots": "…", "ie": "i.e.", "eg": "e.g.", "etal": "et al.",
    "wrt": "w.r.t.",
}
# Commands whose argument is a reference, never prose: drop them with their argument.
_DROP_WITH_ARG = re.compile(r"\\(?:cite[tp]?|citep|citet|ref|eqref|label|footnote|url)\*?"
                            r"(?:\[[^\]]*\])?\{[^{}]*\}")
# Formatting commands whose argument is prose: keep the argument.
_KEEP_ARG = re.compile(r"\\(?:emph|textbf|textit|texttt|textsc|underline|text|mbox|href\{[^{}]*\})"
                       r"\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+|[%&_])")
_MATH = re.compile(r"\$\$?([^$]{0,400})\$\$?")
_CITE_BRACKETS = re.compile(r"\s?\[(?:\d+(?:[,–-]\s?\d+)*)\]")


def _command(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _GREEK:
        return _GREEK[name]
    return _SYMBOLS.get(name, "")


def _math(match: re.Match[str]) -> str:
    inner = _COMMAND.sub(_command, match.group(1))
    inner = inner.replace("{", "").replace("}", "").replace("^", "").replace("_", "")
    inner = inner.replace("\\", "")
    return " ".join(inner.split())


def strip_latex(text: str) -> str:
    """Plain text for ``text``: math to Unicode look-alikes, citations and markup removed.

    >>> strip_latex(r"a $\\alpha$-divergence \\cite{x} is \\emph{fast}")
    'a α-divergence is fast'
    """
    if "\\" not in text and "$" not in text and "[" not in text and "`" not in text:
        return text
    text = text.replace("``", "“").replace("''", "”")
    text = _DROP_WITH_ARG.sub("", text)
    for _ in range(2):  # nested formatting, e.g. \textbf{\emph{x}}
        text = _KEEP_ARG.sub(r"\1", text)
    text = _MATH.sub(_math, text)
    text = _COMMAND.sub(_command, text)
    text = _CITE_BRACKETS.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    return " ".join(text.split())

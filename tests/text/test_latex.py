from paperpath.text.latex import strip_latex


def test_math_becomes_unicode_and_markup_goes() -> None:
    raw = (r"We bound the $\ell_2$ error by $O(\sqrt{n})$ \cite{smith2020} with "
           r"\textbf{\emph{no}} tuning~[3].")
    assert strip_latex(raw) == "We bound the ℓ2 error by O(√n) with no tuning."


def test_plain_text_is_untouched() -> None:
    text = "A plain sentence [with brackets] stays."
    assert strip_latex(text) == text


def test_unbalanced_input_does_not_crash() -> None:
    assert isinstance(strip_latex("$ \\alpha {{ } \\ $$"), str)
    assert strip_latex("") == ""


def test_macros_for_abbreviations_and_tex_quotes() -> None:
    expected = "models (i.e. “experts”) and e.g. MoE"
    assert strip_latex(r"models (\ie ``experts'') and \eg MoE") == expected

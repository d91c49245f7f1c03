"""The foundations path on small hand-built canons, plus smoke checks on the real one."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from paperpath.coach.canon import CanonPaper, canon, canon_by_id
from paperpath.coach.foundations import PathStep, foundations_path, short_title


def _p(pid: str, *, area: str, year: int, difficulty: int = 2, title: str | None = None,
       terms: Sequence[str] = (), prerequisites: Sequence[str] = (),
       arxiv: str | None = None, summary: str = "A paper.") -> CanonPaper:
    return CanonPaper(id=pid, title=title or f"Paper {pid}", year=year, area=area,
                      summary=summary, difficulty=difficulty, arxiv=arxiv,
                      doi=None if arxiv else f"10.5555/{pid}", authors=("A. Author",),
                      prerequisites=tuple(prerequisites), terms=tuple(terms))


# A tiny canon: a shared basic paper, an RL branch and a generative branch.
BASICS = _p("basics", area="optimization", year=1990, difficulty=1, arxiv="cs/9901001",
            title="Gradient descent for beginners", terms=["gradient-descent"])
RL_INTRO = _p("rl-intro", area="rl", year=1995, prerequisites=["basics"],
              title="Learning from rewards", terms=["reinforcement-learning", "reward"])
RL_HARD = _p("rl-hard", area="rl", year=2000, difficulty=5, prerequisites=["rl-intro"],
             title="Policy gradients with proofs", terms=["policy-gradient"])
GAN = _p("gan-paper", area="generative", year=2014, difficulty=3, prerequisites=["basics"],
         title="Adversarial nets", terms=["generative-adversarial-network"],
         arxiv="1406.2661")
DIFFUSION = _p("diffusion-paper", area="generative", year=2020, difficulty=4,
               prerequisites=["gan-paper"], title="Denoising diffusion",
               terms=["diffusion-model", "generative-adversarial-network", "noise-schedule"])
CNN = _p("cnn-paper", area="cnn", year=1998, title="Convolutions for digits",
         terms=["convolutional-neural-network"])
SMALL = (BASICS, RL_INTRO, RL_HARD, GAN, DIFFUSION, CNN)


def _ids(steps: list[PathStep]) -> list[str]:
    return [s.paper.id for s in steps]


def _assert_prerequisite_order(steps: list[PathStep], read: set[str] = frozenset()) -> None:
    placed: set[str] = set(read)
    for step in steps:
        missing = set(step.paper.prerequisites) - placed
        assert not missing, f"{step.paper.id} comes before its prerequisites {missing}"
        placed.add(step.paper.id)


def test_interest_pulls_in_prerequisites_in_order() -> None:
    steps = foundations_path(["diffusion"], papers=SMALL)
    assert _ids(steps) == ["basics", "gan-paper", "diffusion-paper"]
    by_id = {s.paper.id: s for s in steps}
    assert by_id["diffusion-paper"].depth == 0
    assert by_id["gan-paper"].depth == 1
    assert by_id["basics"].depth == 2
    assert by_id["diffusion-paper"].reason == "matches your interest 'diffusion'"
    assert by_id["gan-paper"].reason == (
        "prerequisite of Denoising diffusion (which matches your interest 'diffusion')")
    assert by_id["basics"].reason.startswith(
        "prerequisite of Adversarial nets, on the way to Denoising diffusion")


def test_interest_picks_the_right_area() -> None:
    steps = foundations_path(["reinforcement learning"], papers=SMALL)
    assert set(_ids(steps)) == {"basics", "rl-intro", "rl-hard"}
    direct = {s.paper.id for s in steps if s.depth == 0}
    assert direct == {"rl-intro", "rl-hard"}
    _assert_prerequisite_order(steps)


def test_interest_by_area_alias_and_by_glossary_term() -> None:
    assert {s.paper.id for s in foundations_path(["computer vision"], papers=SMALL)} == {
        "cnn-paper"}
    # "GANs" names a glossary term; both generative papers carry it.
    steps = foundations_path(["GANs"], papers=SMALL)
    assert {s.paper.id for s in steps if s.depth == 0} == {"gan-paper", "diffusion-paper"}


def test_read_papers_are_left_out_and_satisfy_prerequisites() -> None:
    steps = foundations_path(["diffusion"], read=["basics"], papers=SMALL)
    assert _ids(steps) == ["gan-paper", "diffusion-paper"]
    # Library keys work too: the arXiv id (any version) or a "doi:" key.
    steps = foundations_path(["diffusion"], read=["cs/9901001v2", "arXiv:1406.2661"],
                             papers=SMALL)
    assert _ids(steps) == ["diffusion-paper"]
    steps = foundations_path(["rl"], read=["doi:10.5555/rl-intro", "basics"], papers=SMALL)
    assert _ids(steps) == ["rl-hard"]


def test_a_read_prerequisite_stops_the_walk_down() -> None:
    # Having read the GAN paper, its own prerequisite is not needed for diffusion.
    steps = foundations_path(["diffusion"], read=["gan-paper"], papers=SMALL)
    assert _ids(steps) == ["diffusion-paper"]


def test_everything_read_gives_an_empty_path() -> None:
    everything = [p.id for p in SMALL]
    assert foundations_path(["diffusion"], read=everything, papers=SMALL) == []
    assert foundations_path([], read=everything, papers=SMALL) == []


def test_comfort_changes_the_order_of_ready_papers() -> None:
    easy = _p("easy-rl", area="rl", year=2001, difficulty=1, terms=["reward"])
    hard = _p("hard-rl", area="rl", year=2000, difficulty=4, terms=["reward"])
    papers = (easy, hard)
    low = foundations_path(["reinforcement learning"], comfort=1, papers=papers)
    high = foundations_path(["reinforcement learning"], comfort=4, papers=papers)
    assert _ids(low) == ["easy-rl", "hard-rl"]
    assert _ids(high) == ["hard-rl", "easy-rl"]


def test_far_above_comfort_comes_after_a_less_relevant_paper() -> None:
    # Both are ready; the hard one matches better but is three levels above comfort.
    hard = _p("hard", area="generative", year=2000, difficulty=5, title="Diffusion models",
              terms=["diffusion-model"])
    easy = _p("easy", area="generative", year=2001, difficulty=1, title="A diffusion primer",
              terms=["noise-schedule"], summary="Explains diffusion models gently.")
    at_two = foundations_path(["diffusion models"], comfort=2, papers=(hard, easy))
    assert _ids(at_two) == ["easy", "hard"]
    at_five = foundations_path(["diffusion models"], comfort=5, papers=(hard, easy))
    assert _ids(at_five) == ["hard", "easy"]


def test_older_first_when_all_else_is_equal() -> None:
    a = _p("newer", area="rl", year=2010, terms=["reward"])
    b = _p("older", area="rl", year=2005, terms=["reward"])
    assert _ids(foundations_path(["rl"], papers=(a, b))) == ["older", "newer"]


def test_empty_interests_give_general_foundations_by_importance() -> None:
    steps = foundations_path([], papers=SMALL)
    assert set(_ids(steps)) == {p.id for p in SMALL}
    _assert_prerequisite_order(steps)
    assert steps[0].paper.id == "basics"  # the paper most of this canon builds on
    by_id = {s.paper.id: s for s in steps}
    assert by_id["basics"].reason == "a foundation: 4 later canon papers build on it"
    assert by_id["rl-hard"].reason == "a landmark of reinforcement learning"
    assert all(s.depth == 0 for s in steps)
    # Blank strings count as no interests at all.
    assert _ids(foundations_path(["", "  "], papers=SMALL)) == _ids(steps)


def test_reasons_are_never_empty() -> None:
    for interests in ([], ["diffusion"], ["reinforcement learning", "GANs"], ["gan-paper"]):
        for step in foundations_path(interests, papers=SMALL):
            assert step.reason.strip()


def test_missing_terms_leave_out_known_ones_by_id_or_name() -> None:
    steps = foundations_path(["diffusion"], papers=SMALL,
                             known_terms=["gradient-descent", "Noise Schedule", "nonsense"])
    by_id = {s.paper.id: s for s in steps}
    assert by_id["basics"].missing_terms == ()
    assert by_id["diffusion-paper"].missing_terms == (
        "diffusion-model", "generative-adversarial-network")


def test_liked_paper_by_id_or_arxiv_id() -> None:
    for ref in ("gan-paper", "1406.2661v1", "https://arxiv.org/abs/1406.2661"):
        steps = foundations_path([ref], papers=SMALL)
        by_id = {s.paper.id: s for s in steps}
        assert by_id["gan-paper"].reason == f"you named it in your interests ('{ref}')"
        assert by_id["diffusion-paper"].depth == 0
        assert by_id["diffusion-paper"].reason.startswith("builds on Adversarial nets")
        assert "rl-intro" not in by_id
    # A liked paper that was read is left out; its neighbours still come.
    steps = foundations_path(["gan-paper"], read=["gan-paper"], papers=SMALL)
    assert _ids(steps) == ["diffusion-paper"]


def test_ids_outside_the_canon_and_unmatched_words_give_nothing() -> None:
    assert foundations_path(["2401.00001"], papers=SMALL) == []
    assert foundations_path(["doi:10.9999/elsewhere"], papers=SMALL) == []
    assert foundations_path(["protein folding"], papers=SMALL) == []
    # ...but do not hide the interests that do match.
    assert "rl-intro" in _ids(foundations_path(["2401.00001", "rl"], papers=SMALL))


def test_limit_keeps_a_prerequisite_closed_prefix() -> None:
    full = foundations_path([], papers=SMALL)
    for n in range(len(full) + 2):
        part = foundations_path([], limit=n, papers=SMALL)
        assert part == full[:n]
        _assert_prerequisite_order(part)
    assert foundations_path([], limit=0, papers=SMALL) == []


def test_comfort_out_of_range_is_an_error() -> None:
    with pytest.raises(ValueError, match="comfort"):
        foundations_path([], comfort=0, papers=SMALL)
    with pytest.raises(ValueError, match="comfort"):
        foundations_path([], comfort=6, papers=SMALL)


def test_deterministic() -> None:
    args = (["diffusion", "reinforcement learning"],)
    assert foundations_path(*args, papers=SMALL) == foundations_path(*args, papers=SMALL)
    assert foundations_path(*args, papers=tuple(reversed(SMALL))) == foundations_path(
        *args, papers=SMALL)


def test_short_title() -> None:
    assert short_title(canon_by_id()["bert"]) == "BERT"
    assert short_title(canon_by_id()["attention-is-all-you-need"]) == "Attention Is All You Need"
    long_head = _p("x", area="rl", year=2000, title="A" * 50 + ": subtitle")
    assert short_title(long_head) == long_head.title


# --- The real canon ------------------------------------------------------------------------


def test_real_canon_diffusion_path() -> None:
    steps = foundations_path(["diffusion models"], comfort=3)
    ids = _ids(steps)
    assert {"ddpm", "latent-diffusion", "score-sde"} <= set(ids)
    assert "vae" in ids and "u-net" in ids  # prerequisites come along
    assert not {"ppo", "gcn", "bert"} & {s.paper.id for s in steps if s.depth == 0}
    _assert_prerequisite_order(steps)
    assert ids.index("vae") < ids.index("diffusion-2015") < ids.index("ddpm")


def test_real_canon_alignment_interest_and_read_keys() -> None:
    read = ["doi:10.1038/323533a0", "1706.03762v7", "perceptron"]
    steps = foundations_path(["LLM alignment"], read=read, comfort=2, limit=60)
    ids = _ids(steps)
    assert {"instructgpt", "dpo", "constitutional-ai"} <= set(ids)
    assert not {"backprop", "attention-is-all-you-need", "perceptron"} & set(ids)
    _assert_prerequisite_order(steps, {"backprop", "attention-is-all-you-need", "perceptron"})


def test_real_canon_general_path_covers_everything() -> None:
    steps = foundations_path([])
    assert len(steps) == len(canon())
    _assert_prerequisite_order(steps)
    assert steps[0].paper.id in {"perceptron", "backprop"}
    assert all(s.reason for s in steps)

from paperpath.guide.reading_time import estimate_reading_time, pages_from_comments


def test_pages_from_arxiv_comments() -> None:
    assert pages_from_comments("Accepted at NeurIPS 2025; 9 pages, 4 figures") == 9
    assert pages_from_comments("12+8 pages") == 12
    assert pages_from_comments("camera ready") is None
    assert pages_from_comments(None) is None
    assert pages_from_comments("0 pages") is None


def test_harder_and_longer_take_longer() -> None:
    easy = estimate_reading_time(difficulty=2, reader_level=3, pages=8)
    hard = estimate_reading_time(difficulty=5, reader_level=3, pages=8)
    longer = estimate_reading_time(difficulty=2, reader_level=3, pages=30)
    assert easy.full_read < hard.full_read
    assert easy.full_read < longer.full_read
    assert 5 <= easy.first_pass <= 15 and easy.first_pass < easy.full_read
    assert easy.basis == "pdf"


def test_reader_level_matters_and_basis_is_reported() -> None:
    novice = estimate_reading_time(difficulty=4, reader_level=1, comments="10 pages")
    expert = estimate_reading_time(difficulty=4, reader_level=5, comments="10 pages")
    assert novice.full_read > expert.full_read
    assert novice.basis == "comments" and novice.pages == 10
    assert estimate_reading_time(difficulty=3).basis == "typical"


def test_reading_items_use_word_count() -> None:
    t = estimate_reading_time(difficulty=3, words=1000, kind="post")
    assert t.basis == "words" and t.full_read == 5

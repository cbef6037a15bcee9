"""The kit itself: an undamaged book builds, and nothing of its sources changes."""
from hostile_kit import copy_book, hostile


def test_clean_book_checks_and_builds(tmp_path):
    root = copy_book(tmp_path)
    hostile(root, "check", root, code=0)
    hostile(root, "build", root, "--no-pdf", code=0)
    assert (root / "build" / "index.html").is_file()

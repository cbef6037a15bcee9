"""Shell completion through click (bash, zsh, fish): client slugs, periods, draft ids and issued
numbers, read cheaply from the book (clients/, the last build, issued/drafts/)."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main

FREELANCE = Path(__file__).resolve().parent.parent / "examples" / "freelance"


def complete(words: str, shell: str = "bash", cwd: Path | None = None) -> list[str]:
    """What the shell would be offered for the last word of `words` (COMP_WORDS/COMP_CWORD, as
    the script that `_PLAINBILL_COMPLETE=bash_source plainbill` prints sets them)."""
    parts = words.split(" ")
    # fish passes the word being completed itself (`commandline -t`); bash and zsh its index
    cword = parts[-1] if shell == "fish" else str(len(parts) - 1)
    env = {"_PLAINBILL_COMPLETE": f"{shell}_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = CliRunner().invoke(main, [], env=env, prog_name="plainbill")
    assert result.exit_code == 0, result.output
    if shell == "bash":       # "plain,VALUE" per line
        return [line.split(",", 1)[1] for line in result.output.splitlines() if line]
    return result.output.splitlines()


@pytest.fixture
def book(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    assert CliRunner().invoke(main, ["build", "--book", str(root), "--no-render"]).exit_code == 0
    assert CliRunner().invoke(main, ["issue", "--book", str(root), "meccanica-dora-2026-10",
                                     "--date", "2026-12-01"]).exit_code == 0
    return root


def test_client_slugs(book):
    assert complete(f"plainbill build --book {book} --client mec") == ["meccanica-dora"]
    assert "its-piemonte" in complete(f"plainbill issue --book {book} --client ")


def test_periods_latest_first(book):
    offered = complete(f"plainbill build --book {book} --period 2026-")
    assert offered[:2] == ["2026-11", "2026-10"] and all(p.startswith("2026-") for p in offered)


def test_draft_ids_and_issued_numbers(book):
    assert "meccanica-dora-2026-11" in complete(f"plainbill issue --book {book} mecc")
    assert complete(f"plainbill credit-note --book {book} 1/") == ["1/2026"]
    explained = complete(f"plainbill explain --book {book} ")
    assert "meccanica-dora-2026-10" in explained and "1/2026" in explained


def test_the_current_folder_is_the_book(book, monkeypatch):
    monkeypatch.chdir(book)
    assert complete("plainbill build --client its") == ["its-piemonte"]


def test_zsh_and_fish(book):
    zsh = complete(f"plainbill build --book {book} --client mec", shell="zsh")
    assert "meccanica-dora" in zsh
    assert any(line.startswith("plain,meccanica-dora") for line in complete(
        f"plainbill build --book {book} --client mec", shell="fish"))


def test_not_a_book_completes_nothing_and_never_fails(tmp_path):
    assert complete(f"plainbill build --book {tmp_path / 'nowhere'} --client ") == []


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F"), ("zsh", "compdef"),
                                           ("fish", "complete --no-files --command plainbill")])
def test_the_rc_lines_of_docs_commands_md_print_a_script(shell, marker):
    result = CliRunner().invoke(main, [], env={"_PLAINBILL_COMPLETE": f"{shell}_source"}, prog_name="plainbill")
    assert result.exit_code == 0 and marker in result.output
    docs = (Path(__file__).resolve().parent.parent / "docs" / "commands.md").read_text()
    assert f"_PLAINBILL_COMPLETE={shell}_source plainbill" in docs


def test_issue_offers_only_open_drafts(book):
    offered = complete(f"plainbill issue --book {book} mecc")
    assert "meccanica-dora-2026-11" in offered and "meccanica-dora-2026-10" not in offered   # issued

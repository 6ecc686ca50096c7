"""What a YAML file may hold: bounded in size and depth, no anchors or aliases."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap

import pytest

from automations.yamlfile import MAX_DEPTH, YamlError, load


def _level(n: int) -> str:
    item = f"*l{n - 1}" if n else "ha"
    return f"  - &l{n} [{', '.join([item] * 9)}]\n"


# Nine levels of nine: a few hundred bytes that would be 9**9 (387 million) strings once every
# alias is copied. The anchors start on line 3.
BOMB = "format: 1\nsteps:\n" + "".join(_level(n) for n in range(10))

# The parse runs in a child with 1 GB of address space and a time limit: if refusing aliases
# ever regresses, the child fails with MemoryError (or is killed), not the machine.
CHILD = textwrap.dedent(
    """
    import json, sys
    from automations.quicksteps.definitions import DefinitionError, parse as steps
    from automations.replies.templates import TemplateError, parse as templates
    from automations.yamlfile import YamlError, load

    text = sys.stdin.read()
    found = {}
    for name, parse, error in (("load", load, YamlError), ("steps", steps, DefinitionError),
                               ("templates", templates, TemplateError)):
        try:
            parse(text)
            found[name] = "accepted"
        except error as exc:
            found[name] = str(exc)
    print(json.dumps(found))
    """
)
GIGABYTE = 1024**3


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIGABYTE, GIGABYTE))


def test_a_billion_laughs_is_refused_at_its_first_anchor_within_a_gigabyte() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=BOMB,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    refused = "regel 3: ankers en verwijzingen (&, *) worden niet ondersteund"
    assert all(refused in message for message in found.values()), found


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x 1\nb: 2\n", 1),
        ("a: 1\nb: *x\n", 2),
        ("a:\n  b: &x [1]\n  c: [2]\n", 2),
        ("a:\n  - &x {k: v}\n", 2),
    ],
)
def test_anchors_and_aliases_are_refused_with_their_line(text: str, line: int) -> None:
    with pytest.raises(YamlError) as refused:
        load(text)
    assert (
        str(refused.value) == f"regel {line}: ankers en verwijzingen (&, *) worden niet ondersteund"
    )


def test_deep_nesting_is_refused() -> None:
    deep = "a:\n" + "".join(f"{'  ' * n}- \n" for n in range(1, MAX_DEPTH + 5))
    with pytest.raises(YamlError, match=r"^regel \d+: te diep genest \(meer dan 20 niveaus\)$"):
        load(deep)
    flow = "[" * 1000 + "]" * 1000
    with pytest.raises(YamlError, match="te diep genest"):
        load(flow)


def test_nesting_up_to_the_limit_is_read() -> None:
    def nested(lists: int) -> str:  # the mapping, the lists and the number: lists + 2 levels
        return "a: " + "[" * lists + "1" + "]" * lists + "\n"

    data = load(nested(MAX_DEPTH - 2)).data["a"]
    for _ in range(MAX_DEPTH - 3):
        data = data[0]
    assert data == [1]
    with pytest.raises(YamlError, match="te diep genest"):
        load(nested(MAX_DEPTH - 1))


def test_a_file_over_256_kib_is_refused_before_it_is_read() -> None:
    with pytest.raises(YamlError, match=r"^het bestand is groter dan 256 KiB$"):
        load("a: " + "x" * (256 * 1024) + "\n")


def test_block_text_lines_are_counted_from_the_line_after_the_key() -> None:
    located = load("a:\n  b: |\n    een\n    twee\n  c: 'drie'\n")
    assert located.text_line(("a", "b"), 2) == 4
    assert located.text_line(("a", "c"), 1) == 5


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("a: !!binary zz", "regel 1: ongeldige waarde"),
        ("a: 1\nb: !onbekend x", "regel 2: ongeldige waarde"),
        ("a: 2026-13-45", "regel 1: ongeldige waarde"),
        ("a: " + "9" * 5000, "regel 1: ongeldige waarde"),
        ("? [1]\n: 2", "regel 1: een sleutel moet een tekst zijn"),
    ],
    ids=["binary", "unknown-tag", "no-such-date", "huge-number", "list-as-key"],
)
def test_a_value_yaml_cannot_make_is_named_with_its_line(text: str, said: str) -> None:
    with pytest.raises(YamlError, match=said):
        load(text)

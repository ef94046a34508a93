"""The lines `temuship sandbox` prints work as printed: connect with V1, move that shop to V2,
and connect with V2 from the start."""

from __future__ import annotations

import shlex

from flows.cli.demo import connect_lines


def test_the_printed_connect_and_move_lines_work(cli, sandbox, shop_id):
    lines = connect_lines(sandbox.temu_url, sandbox.shipstation_url)
    commands = [shlex.split(line) for line in lines if line.startswith("  ")]
    v1, v2, move = (words[words.index("connect") :] for words in commands)
    name = shop_id[:20]  # a name of its own (the lines say `sandbox`)
    for args in (v1, v2, move):
        assert args[:2] == ["connect", "sandbox"]
        args[1] = name
    assert cli(*v1).exit_code == 0
    moved = cli(*move)
    assert moved.exit_code == 0 and "from ShipStation V1 (Legacy) to V2" in words(moved.output)
    (status,) = cli.json("status", name)
    assert status["shipstation"]["api"] == "v2"
    assert cli("disconnect", name, "--yes").exit_code == 0
    connected = cli(*v2)
    assert connected.exit_code == 0 and "ShipStation V2 (warehouse se-" in words(connected.output)


def words(output: str) -> str:
    """The output as one line: the console wraps at its width, which the shop's name moves."""
    return " ".join(output.split())

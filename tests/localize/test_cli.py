from __future__ import annotations

import subprocess
import sys

from localize.cli.main import main


def test_help_lists_subcommands_without_importing_them(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "mask-gen" in out and "synth" in out
    heavy = ("mask_gen.cli.masks", "train.cli", "eval.cli_eval", "torch", "cv2")
    code = f"import sys; from localize.cli.main import main; main(['--help']); print([m for m in {heavy} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("[]")


def test_no_arguments_is_bad_usage(capsys):
    assert main([]) == 2


def test_subcommand_help_exits_0(capsys):
    assert main(["mask-gen", "--help"]) == 0
    assert "--shard" in capsys.readouterr().out


def test_every_package_declares_its_commands_and_each_has_the_contract():
    """localize.cli.main names no other package: the commands come from each package's declaration, and every
    declared module defines add_arguments(parser) and run(args)."""
    import importlib
    from pathlib import Path

    from localize.cli.main import commands

    found = commands()
    assert set(found) == {
        "synth",
        "mask-gen",
        "train",
        "export",
        "interpolate",
        "thresholds",
        "eval",
        "inspect",
        "demo",
        "faces",
        "compare",
    }
    for name, (module_name, summary) in found.items():
        module = importlib.import_module(module_name)
        assert callable(module.add_arguments) and callable(module.run) and summary, name
    source = (Path(__file__).resolve().parents[2] / "localize" / "cli" / "main.py").read_text()
    assert not any(f"{package}." in source for package in ("mask_gen", "train.", "eval."))


def test_an_output_folder_the_file_system_refuses_is_one_line(tmp_path, capsys):
    """--out under a file (or where the user may not write, or on a full disk) was a traceback."""
    import numpy as np

    from localize.media.images import write_png

    write_png(tmp_path / "a.png", np.zeros((32, 32, 3), np.uint8))
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    commands = (
        ["inspect", str(tmp_path / "a.png"), "--out", str(blocker / "out")],
        ["synth", str(blocker / "out"), "--layout", "generic", "--videos", "1", "--frames", "4"],
    )
    for argv in commands:
        assert main(argv) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert err.startswith(f"forgeloc {argv[0]}: error: {blocker / 'out'}") and err.endswith(
            "Not a directory"
        )

from __future__ import annotations

import subprocess
import sys

from localize.cli import main


def test_help_lists_subcommands_without_importing_them(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "mask-gen" in out and "synth" in out
    code = "import sys; from localize.cli import main; main(['--help']); print('mask_gen' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("False")


def test_no_arguments_is_bad_usage(capsys):
    assert main([]) == 2


def test_subcommand_help_exits_0(capsys):
    assert main(["mask-gen", "--help"]) == 0
    assert "--shard" in capsys.readouterr().out

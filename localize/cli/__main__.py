"""`python -m localize.cli`: the `forgeloc` command."""

import sys

from localize.cli.main import main

sys.exit(main())

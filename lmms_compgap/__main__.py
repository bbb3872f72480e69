"""`python -m lmms_compgap`: the `compgap` command (from a source checkout: `PYTHONPATH=. python -m lmms_compgap`)."""

import sys

from lmms_compgap.cli import main

sys.exit(main())

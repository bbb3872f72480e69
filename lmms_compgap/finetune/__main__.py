"""`python -m lmms_compgap.finetune --config recipe.yaml`: what `accelerate launch -m` runs."""

import sys

from lmms_compgap.finetune.command import main

sys.exit(main())

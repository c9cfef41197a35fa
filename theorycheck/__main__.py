"""``python -m theorycheck`` runs the command line."""

import sys

from validation.cli import main

sys.exit(main())

"""`python -m generator.cli`: the same as the `jiandu` command."""
import sys

from generator.cli.main import main

sys.exit(main())

import sys

from samen.cli import main

sys.exit(main())

# Shared helpers for all rule files: nothing stage-specific lives here.
import sys
from pathlib import Path

# The library lives in scripts/reviewflow; it is normally installed with `pip install -e .`,
# this makes rule files work from a plain checkout too.
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

RESULTS = "results"
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"

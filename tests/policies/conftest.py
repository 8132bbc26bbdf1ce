"""Self-contained setup for the policy pack's tests: the repo root (for `policies`, `preview`) and
this folder (for `policy_kit`) on sys.path, whatever import mode pytest runs in."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
for path in (str(REPO_ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

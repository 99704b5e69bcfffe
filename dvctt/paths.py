"""Where the repository keeps its data files, independent of the current directory."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO_ROOT / "config"
# The real registries live beside the repository in ../shared/data/units; a workspace may point elsewhere.
DEFAULT_REGISTRY_DIR = REPO_ROOT.parent / "shared" / "data" / "units"

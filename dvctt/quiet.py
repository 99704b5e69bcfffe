"""Keep third-party chatter (GX analytics and progress bars, pandas warnings) off the console.

Clerks and IT staff read our console output; they must not have to dig through library noise.
"""

from __future__ import annotations

import logging
import os
import warnings


def silence_noisy_libraries() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GE_USAGE_STATISTICS_ENABLED", "False")
    for name in ("great_expectations", "great_expectations._docs_decorators", "matplotlib", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*Data Validation extension.*")

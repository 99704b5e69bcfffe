"""dvctt: the yearly DVCTT (dịch vụ công trực tuyến = online public services) reporting pipeline.

This package holds what every stage shares: configuration, the indicator catalogue,
the unit registry, text normalisation and the pipeline entry points used by both the
CLI and the Airflow DAGs. The stage packages (`extract`, `expectations`, `load`,
`transform`, `report`, `templates`) each expose a small public surface.
"""

from dvctt.quiet import silence_noisy_libraries

silence_noisy_libraries()

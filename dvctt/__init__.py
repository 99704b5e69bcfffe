"""dvctt: the application layer of the yearly DVCTT (dịch vụ công trực tuyến = online public services) pipeline.

The CLI, the pipeline's entry points (intake, portal, report, reminders, schedule, demo), which the
Airflow DAGs call too. The stages it orchestrates live in their own packages: core, extract,
expectations, load, transform, report, templates.
"""

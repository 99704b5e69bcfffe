"""The shared core every stage imports: configuration, catalogue, units, text, records, the template layout.

It imports no other package of the project. Layers above it: extract, expectations, load ← transform
← report ← templates ← dvctt (the application) ← dags; `make lint` enforces the direction.
"""

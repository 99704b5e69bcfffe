"""Load stage: the warehouse schema and the functions that write to it."""

from load.warehouse import Warehouse, connect

__all__ = ["Warehouse", "connect"]

"""Report stage: rendering only. The leadership workbook, its delivery by e-mail, the clerks' feedback
files and the IT run page; every figure comes computed from `transform`."""

"""The validation rules: the Great Expectations suite for unit submissions (`submission`) and the portal
exports' row rules (`portal`). Importing `expectations.submission` loads GX (seconds): only intake does,
and only when there is something new to validate."""

"""Ready workspaces for the five plans in docs/plans/: `dvctt init --profile lai-chau` and the others.

A profile is a workspace.yaml shipped as package data (`core/data/profiles/<name>.yaml`), each fact commented with
the plan line it comes from and every unknown left out (the Báo cáo then marks it for the clerk). `init` writes it
as is, comments kept, followed by the province's default reporting agencies (replace them with the real list).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from core.config import CONFIG_FILE, PATTERN_HINTS, ConfigError, WorkspaceConfig
from core.files import make_dirs, share
from core.resources import data_file, read_text
from core.units import default_agencies, load_registry
from core.validation_messages import describe_errors
from core.yaml_reader import read_yaml

PROFILE_DIR = "profiles"


def profile_names() -> list[str]:
    return sorted(f.name.removesuffix(".yaml") for f in data_file(PROFILE_DIR).iterdir() if f.name.endswith(".yaml"))


def profile_config(name: str) -> tuple[str, WorkspaceConfig]:
    """(the profile's text, its validated configuration); a ConfigError naming the profiles for an unknown one."""
    if name not in profile_names():
        raise ConfigError(f"Không có hồ sơ địa phương «{name}»: hãy chọn một trong {', '.join(profile_names())}.")
    text = read_text(f"{PROFILE_DIR}/{name}.yaml")
    try:
        return text, WorkspaceConfig.model_validate(read_yaml(text))
    except ValidationError as exc:  # a shipped profile the tests check: only a bad edit of the package gets here
        raise ConfigError(f"Hồ sơ {name} không hợp lệ: {describe_errors(exc, PATTERN_HINTS, WorkspaceConfig)}.") \
            from exc


def init_workspace(workspace: Path, name: str) -> Path:
    """workspace.yaml for the profile `name` in `workspace` (created if needed); never overwrites one."""
    text, config = profile_config(name)
    path = Path(workspace) / CONFIG_FILE
    if path.exists():
        raise ConfigError(f"Đã có {path}: dvctt init không ghi đè cấu hình; hãy chọn thư mục khác hoặc xóa tệp này.")
    registry = load_registry(config)
    root = registry.units[registry.root]
    districts = sorted(u.code for u in registry.children(root.code) if u.level == "district")
    agencies = [a.model_dump(exclude_none=True) for a in default_agencies(config.province, root.name, districts)]
    block = yaml.safe_dump({"agencies": agencies}, allow_unicode=True, sort_keys=False, width=200)
    make_dirs(path.parent)
    path.write_text(f"{text}\n# The province's default reporting agencies: replace with the real list.\n{block}",
                    encoding="utf-8")
    return share(path)

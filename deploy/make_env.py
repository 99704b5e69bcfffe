#!/usr/bin/env python3
"""Write a `.env` for docker-compose.yaml from `.env.example`, with a fresh value for every secret.

Passwords are random and URL-safe (no encoding needed inside the URLs), the Fernet key is a real one (32 random
bytes, url-safe base64), and each password is the same wherever it appears (POSTGRES_PASSWORD and the URLs that
use it). Only the SMTP connection keeps "change-me" unless --smtp is given: the stack refuses to start until IT
has written the real mail server there. Standard library only: runs with the host's python3.

    python3 deploy/make_env.py .env --workspace /srv/dvctt/workspace [--uid 1001] [--smtp URI] [--it EMAIL]
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
PLACEHOLDER = "change-me"


def fernet_key() -> str:
    """What cryptography's Fernet.generate_key() returns, without needing cryptography on the host."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def fill(example: str, *, workspace: str | None, uid: int | None, smtp: str | None, it: str | None) -> tuple[str, str]:
    """The .env text and the admin password (printed once for IT)."""
    postgres, redis, warehouse, admin = (secrets.token_urlsafe(24) for _ in range(4))
    by_key = {
        "POSTGRES_PASSWORD": postgres, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres,
        "AIRFLOW__CELERY__RESULT_BACKEND": postgres, "REDIS_PASSWORD": redis, "AIRFLOW__CELERY__BROKER_URL": redis,
        "DVCTT_WAREHOUSE_URL": warehouse, "_AIRFLOW_WWW_USER_PASSWORD": admin, "AIRFLOW__CORE__FERNET_KEY": fernet_key(),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(48), "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(48),
    }
    whole = {"DVCTT_WORKSPACE_HOST": workspace, "AIRFLOW_UID": None if uid is None else str(uid),
             "AIRFLOW_CONN_SMTP_DEFAULT": smtp, "DVCTT_IT_RECIPIENTS": it}
    lines = []
    for line in example.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            if whole.get(key) is not None:
                value = whole[key] or ""
            elif key in by_key:
                value = value.replace(PLACEHOLDER, by_key[key])
            line = f"{key}={value}"
        lines.append(line)
    return "\n".join(lines) + "\n", admin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="the .env file to write (never overwritten)")
    parser.add_argument("--workspace", help="DVCTT_WORKSPACE_HOST: the host folder with workspace.yaml and inbox/")
    parser.add_argument("--uid", type=int, help="AIRFLOW_UID: the account that owns the workspace (id -u NAME)")
    parser.add_argument("--smtp", help="AIRFLOW_CONN_SMTP_DEFAULT: smtp://USER:PASSWORD@HOST:PORT?OPTIONS")
    parser.add_argument("--it", help="DVCTT_IT_RECIPIENTS: IT's address(es), comma-separated")
    args = parser.parse_args(argv)
    if args.target.exists():
        print(f"{args.target} đã có, không ghi đè / already exists, not overwritten.", file=sys.stderr)
        return 1
    text, admin = fill(EXAMPLE.read_text(encoding="utf-8"), workspace=args.workspace, uid=args.uid, smtp=args.smtp,
                       it=args.it)
    fd = os.open(args.target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # secrets: readable by its owner only
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"Đã ghi {args.target} (chỉ chủ tệp đọc được) / written, mode 600.")
    print(f"Mật khẩu tài khoản quản trị Airflow «admin» / Airflow admin password: {admin}")
    if PLACEHOLDER in text:
        print("Còn lại / still to fill in: " + ", ".join(
            line.partition("=")[0] for line in text.splitlines() if PLACEHOLDER in line and not line.startswith("#")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

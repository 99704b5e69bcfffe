"""Failures the person running dvctt can fix, told in one Vietnamese line.

Every layer raises a `UserError` (or a subclass) for a failure that is not a bug: a bad
workspace.yaml, an unknown province, a corrupt registry, an unreachable warehouse. The CLI prints
its message as one line and exits 1; anything else is a bug and is reported as one too.
"""

from __future__ import annotations

import errno
import os


class UserError(Exception):
    """An error whose message is a complete Vietnamese sentence for IT staff or a clerk, never a traceback."""


class WarehouseError(UserError):
    """The warehouse cannot be used (`load.warehouse`); the message says why, in Vietnamese."""


class WarehouseConfigError(WarehouseError):
    """A permanent fault (no such database, refused login, unsupported driver, unopenable file): retrying cannot
    help, so it fails at once and a scheduler does not retry it either (named by the DAGs' retry policy, which
    is why it lives here and not in `load`, whose import brings pandas into DAG parsing)."""


class WarehouseUnreachable(WarehouseError):
    """Still a transient fault (server down or restarting, connection dropped, file locked) after every retry."""


_OS_REASONS = {
    errno.ENOENT: "không tồn tại",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép thao tác",
    errno.ENOTDIR: "có một phần của đường dẫn là tệp, không phải thư mục",
    errno.EISDIR: "là một thư mục, không phải tệp",
    errno.EEXIST: "đã tồn tại",
    errno.ENOSPC: "ổ đĩa đã hết dung lượng",
    errno.EROFS: "nằm trên ổ đĩa chỉ cho phép đọc",
    errno.ENAMETOOLONG: "có tên quá dài",
    errno.ELOOP: "có quá nhiều liên kết tượng trưng lồng nhau",
    errno.EDQUOT: "đã vượt hạn mức dung lượng đĩa",
    errno.EIO: "gặp lỗi đọc/ghi của ổ đĩa",
    errno.ENOTEMPTY: "không rỗng",
    errno.EXDEV: "nằm trên ổ đĩa khác",
    errno.EBUSY: "đang được tiến trình khác sử dụng",
    errno.ETXTBSY: "đang được tiến trình khác sử dụng",
    errno.ECONNREFUSED: "máy chủ từ chối kết nối (dịch vụ chưa chạy hoặc sai cổng)",
    errno.ECONNRESET: "máy chủ đã ngắt kết nối giữa chừng",
    errno.ETIMEDOUT: "hết thời gian chờ kết nối",
    errno.EHOSTUNREACH: "không tới được máy chủ",
    errno.ENETUNREACH: "không có đường mạng tới máy chủ",
}


def os_error_text(exc: OSError) -> str:
    """An OSError in Vietnamese, naming the path: Python's own text is English ("[Errno 2] No such file…").

    An OSError raised by our own code with a message only (no errno) already is Vietnamese and is kept.
    """
    if exc.errno is None:
        return str(exc)
    reason = _OS_REASONS.get(exc.errno, f"lỗi hệ thống {errno.errorcode.get(exc.errno, exc.errno)}")
    paths = [os.fsdecode(p) for p in (exc.filename, exc.filename2) if p is not None]
    if not paths:
        return f"{reason[0].upper()}{reason[1:]}."
    if len(paths) > 1 and exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST, errno.ENOTEMPTY):
        paths.reverse()  # a rename or copy failed because of where it was going
    where = f"«{paths[0]}»" + (f" (khi chuyển «{paths[1]}» tới đó)" if len(paths) > 1 else "")
    hint = ""
    if exc.errno in (errno.EACCES, errno.EPERM):
        hint = f" Người dùng hiện tại ({_user()}) cần quyền đọc và ghi ở đó."
    return f"Đường dẫn {where} {reason}.{hint}"


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid()) if hasattr(os, "geteuid") else "?"

"""A multipart/form-data body encoded in memory, for uploads over 500 KB: given a dict, the
test client spools such a body to a temporary file that it never closes (a ResourceWarning in
whichever test the garbage collector runs in next)."""

from __future__ import annotations

import io
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def multipart(fields: dict[str, Any]) -> dict[str, Any]:
    """``client.post(path, **multipart({...}))``: a value ``(bytes, filename[, media type])``
    is a file, any other a form field."""
    values = {name: FileStorage(io.BytesIO(v[0]), v[1], content_type=v[2] if len(v) > 2
                                else None) if isinstance(v, tuple) else v
              for name, v in fields.items()}
    boundary, data = encode_multipart(values)
    return {"data": data, "content_type": f"multipart/form-data; boundary={boundary}"}

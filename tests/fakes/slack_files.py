"""files_upload_v2 in the fake Slack Web API: the three steps slack_sdk's `files_upload_v2` takes.

1. `files.getUploadURLExternal` (filename, length, alt_txt) answers a file id and an upload URL on the fake itself;
2. the bytes are POSTed to that URL (recorded as an `upload` call, the bytes kept in `uploads`);
3. `files.completeUploadExternal` (files=[{id, title}], channel_id) shares them in a conversation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]
UPLOAD_PATH = "/upload/{file_id}"


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None


@dataclass
class SlackFiles:
    """The files of the fake workspace, by id; `origin` is the fake server's, for upload URLs."""

    origin: str = ""
    files: dict[str, UploadedFile] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def get_upload_url(self, args: JsonDict) -> JsonDict:
        filename, length = str(args.get("filename") or ""), args.get("length")
        if not filename or length in (None, ""):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        alt = args.get("alt_txt")
        self.files[file_id] = UploadedFile(file_id, filename, int(length), str(alt) if alt else None)
        return {"ok": True, "file_id": file_id, "upload_url": self.origin + UPLOAD_PATH.format(file_id=file_id)}

    def receive(self, file_id: str, data: bytes) -> bool:
        found = self.files.get(file_id)
        if found is None or len(data) != found.length:
            return False
        found.data = data
        return True

    def complete(self, args: JsonDict) -> JsonDict:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            return {"ok": False, "error": "invalid_arguments"}
        shared = []
        for item in items:
            found = self.files.get(str(item.get("id")))
            if found is None or found.data is None:
                return {"ok": False, "error": "file_not_found"}
            found.title = item.get("title")
            found.channel = args.get("channel_id")
            shared.append({"id": found.id, "name": found.filename, "title": found.title})
        return {"ok": True, "files": shared}

    def shared_in(self, channel: str) -> list[UploadedFile]:
        return [item for item in self.files.values() if item.channel == channel]

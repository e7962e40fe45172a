"""Charts on Slack: uploaded with `files_upload_v2` into the conversation the card was posted to (a reader's direct
message for a digest), each with its text alternative as the file's `alt_txt`.

files.upload is retired; `files_upload_v2` takes three calls (files.getUploadURLExternal, the upload itself,
files.completeUploadExternal) and needs the `files:write` scope.
"""

from __future__ import annotations

from bot.slack.render import cut
from handlers.messages import Image

# Slack keeps at most this many characters of a file's alt text; a longer one (a grid of many teams) is shortened,
# and the message the charts follow carries every number in its text.
ALT_TEXT_LIMIT = 1000


def file_uploads(charts: tuple[Image, ...]) -> list[dict[str, str | bytes]]:
    """`files_upload_v2`'s `file_uploads`: each chart's PNG, file name, title and text alternative."""
    return [
        {
            "content": chart.data(),
            "filename": chart.name,
            "title": chart.title,
            "alt_txt": cut(chart.alt, ALT_TEXT_LIMIT),
        }
        for chart in charts
    ]

"""Size limits every channel and the NLU share."""

from __future__ import annotations

# A user message is cut to this many characters by every channel (the widget refuses longer
# ones); the assistant then says that it read only the beginning (nlu.readable.too_long).
MAX_MESSAGE_CHARS = 2000

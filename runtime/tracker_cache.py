"""The conversations a Rasa server answered lately, kept in memory as the trackers it saved.

Rasa's SQL tracker store reads every event of the session from the database and replays it
for each message, then counts the stored rows to know which events to write: under load that
was a quarter of the Rasa server's time (docs/benchmarks.md, "Profile under load"). Here the
tracker the server has just saved is kept, with how many of its events were stored and the id
of the conversation's latest row; the next message of the conversation gets that same tracker
back after one indexed query shows that no row was written since (by another Rasa server, a
tool, a purge). Anything else — a row written elsewhere, a tracker changed but not saved (a
message that failed half way), a tracker whose stored form differs from the one in memory (the
identity proof is scrubbed from what is stored), a new session, more events than the store's
window allows — drops the entry, and the store reads the database as before.

Rasa handles one message of a conversation at a time (its lock store), so the tracker handed
out is not used by two messages at once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rasa.shared.core.trackers import DialogueStateTracker

from core.settings import count_setting

DEFAULT_SIZE = 2000


def tracker_cache_size() -> int:
    """``IPPC_TRACKER_CACHE_SIZE``: conversations kept in memory per Rasa server (0: none)."""
    return count_setting("IPPC_TRACKER_CACHE_SIZE", DEFAULT_SIZE, "off")


@dataclass
class Saved:
    """A tracker as it was saved: its number of events and the conversation's latest row id."""

    tracker: DialogueStateTracker
    length: int
    last_id: int

    def unchanged(self) -> bool:
        """Nothing was added to the tracker since it was saved."""
        return len(self.tracker.events) == self.length


class TrackerCache:
    """Least recently used saved trackers, by conversation id."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._saved: OrderedDict[str, Saved] = OrderedDict()

    def __len__(self) -> int:
        return len(self._saved)

    def get(self, sender_id: str) -> Saved | None:
        """The saved tracker of the conversation, if nothing was added to it since."""
        saved = self._saved.get(sender_id)
        if saved is None:
            return None
        if not saved.unchanged():
            del self._saved[sender_id]
            return None
        self._saved.move_to_end(sender_id)
        return saved

    def kept(self, tracker: DialogueStateTracker) -> Saved | None:
        """The entry of ``tracker`` itself (not another tracker of its conversation)."""
        saved = self._saved.get(tracker.sender_id)
        return saved if saved is not None and saved.tracker is tracker else None

    def put(self, tracker: DialogueStateTracker, last_id: int) -> None:
        if not self.size:
            return
        self._saved[tracker.sender_id] = Saved(tracker, len(tracker.events), last_id)
        self._saved.move_to_end(tracker.sender_id)
        while len(self._saved) > self.size:
            self._saved.popitem(last=False)

    def discard(self, sender_id: str) -> None:
        self._saved.pop(sender_id, None)

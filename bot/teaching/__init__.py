"""Teaching: the privacy team learns from what the bot could not answer and fixes it without a
deploy. `feedback` keeps every answered or declined question (personal data masked by `masking`)
and the votes on answers; `groups` groups the misses by meaning and counts the weekly rates;
`lessons` turns a group into hints of a passage or topics the statement does not cover (audited,
undoable, exported and imported as YAML); `refresh` brings every process to the new knowledge.
"""

from bot.teaching.feedback import answer_at, record_question, vote
from bot.teaching.groups import MissFilter, group_misses, load_misses, weekly_rates
from bot.teaching.lessons import export_yaml, import_taught, parse_taught, teach, undo
from bot.teaching.masking import mask_personal
from bot.teaching.refresh import KnowledgeRefresher

__all__ = [
    "KnowledgeRefresher",
    "MissFilter",
    "answer_at",
    "export_yaml",
    "group_misses",
    "import_taught",
    "load_misses",
    "mask_personal",
    "parse_taught",
    "record_question",
    "teach",
    "undo",
    "vote",
    "weekly_rates",
]

"""Answering: what a message means and what the statement says about it. `intents` classifies a
message; `decision` decides (learned) whether the statement answers it, does not say, or it is
off-topic; `answers` and `compose` build the reply; `language` and `followup` read a message in its
language and context (`glossary` and its tables turn another language's words into English ones);
`understanding` is one message's analysis, computed once per turn; `quality` is the pipeline as
`privacy-bot eval` measures it.
"""

from bot.answering.answers import Answer, Answerer, LlmPhraser
from bot.answering.decision import Decider, Verdict
from bot.answering.intents import IntentClassifier, Prediction
from bot.answering.understanding import Understanding

__all__ = ["Answer", "Answerer", "Decider", "IntentClassifier", "LlmPhraser", "Prediction", "Understanding", "Verdict"]

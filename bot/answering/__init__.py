"""Answering: what a message means and what the statement says about it. `intents` classifies a
message; `answers` quotes the statement (or declines); `understanding` is one message's analysis,
computed once per turn; `quality` is the pipeline as `privacy-bot eval` measures it.
"""

from bot.answering.answers import Answer, Answerer, LlmPhraser
from bot.answering.intents import IntentClassifier, Prediction
from bot.answering.understanding import Understanding

__all__ = ["Answer", "Answerer", "IntentClassifier", "LlmPhraser", "Prediction", "Understanding"]

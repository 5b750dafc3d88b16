"""The helpdesk's core: everything that decides, independent of any channel.

Layers, lowest first (a layer imports only from layers below it; `tests/test_architecture.py`
holds the rule, `LAYERS` below is its single source):

    ground        errors, types, validation, flowspec and flows (the request catalogue), settings, logs
    store         db, models, outbox, mail transports, conversations, dedupe keys
    access        identity codes and signatures, agents, console sessions and tokens, rate limits
    cases         tickets, lifecycle, casework, queue, retention purge
    answering     understanding a message, intents, grounded answers (reads `knowledge/`)
    teaching      questions kept (masked), votes, misses grouped by meaning, taught knowledge
    conversation  the engine, the flow walker and what completes a flow, the turn context

`cases` and `answering` are peers and never import each other: answering files nothing. `teaching`
feeds answering through `knowledge.taught` (the index answering consults), never by import.
"""

# Which of our packages each layer may import (besides itself). "ground" is the top-level
# modules of `bot`; "knowledge" is the sibling package that holds the statement and retrieval.
LAYERS: dict[str, frozenset[str]] = {
    "ground": frozenset(),
    "store": frozenset({"ground"}),
    "access": frozenset({"ground", "store"}),
    "cases": frozenset({"ground", "store", "access"}),
    "answering": frozenset({"ground", "store", "knowledge"}),
    "teaching": frozenset({"ground", "store", "knowledge"}),
    "conversation": frozenset({"ground", "store", "access", "cases", "answering", "teaching", "knowledge"}),
}

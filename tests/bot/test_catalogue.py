"""The request catalogue: every flow type once, with what the requester is told next."""

import pytest

from bot.flows import FLOWS, REQUEST_FLOWS, _catalogue


def test_a_flow_type_written_twice_is_refused() -> None:
    access = FLOWS["access"]
    with pytest.raises(ValueError, match="defined twice: access"):
        _catalogue(access, FLOWS["handoff"], access)


def test_copies_and_exports_say_how_the_data_arrives() -> None:
    # The first definitions must be the ones in force: the download link is what the requester waits for.
    for kind in ("access", "portability"):
        assert "download link" in REQUEST_FLOWS[kind].next_steps

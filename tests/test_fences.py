"""Code fences read line by line (MDX structure, transync-ignore comments) by one rule: patterns.FENCE_OPEN and closes_fence."""

from __future__ import annotations

import pytest

from transync.checks import suppress
from transync.document.mdx import structure
from transync.document.patterns import FENCE_OPEN, closes_fence


@pytest.mark.parametrize(
    "line, fence",
    [("```", "```"), ("~~~~ python", "~~~~"), ("   ```js", "```"), ("> ```", "```"), ("- ```sh", "```"), ("1. ~~~", "~~~"),
     ("> - ```", "```"), ("\t````", "````")],
)
def test_a_fence_opens_after_blanks_quote_and_list_markers(line, fence):
    match = FENCE_OPEN.match(line)
    assert match is not None and match.group(1) == fence


@pytest.mark.parametrize("line", ["``", "text ```", "-```", "1.```", "`` `"])
def test_what_does_not_open_a_fence(line):
    assert FENCE_OPEN.match(line) is None


@pytest.mark.parametrize(
    "line, fence, closes",
    [("```", "```", True), ("````  ", "```", True), ("  > ```\r", "```", True), ("``", "```", False), ("```js", "```", False),
     ("~~~", "```", False), ("```", "````", False), ("``` `", "```", False)],
)
def test_what_closes_a_fence(line, fence, closes):
    assert closes_fence(line, fence) is closes


def test_a_comment_in_code_inside_a_list_item_silences_nothing():
    text = "- Steps:\n\n  ```sh\n  <!-- transync-ignore-file urls -->\n  ```\n\nhttps://example.com\n"
    assert suppress.parse(text).file_wide == set()


def test_an_info_string_line_inside_code_does_not_close_it():
    text = "```\n```js\n<!-- transync-ignore-file urls -->\n```\n<!-- transync-ignore-file code -->\n"
    assert suppress.parse(text).file_wide == {"code"}


def test_mdx_structure_and_the_comments_skip_the_same_code():
    body = "> ```jsx\n> <Tabs>\n> ```\n<Tabs>\n\n- ```\n  {x}\n  ```js\n  <!-- transync-ignore-file urls -->\n  ```\n</Tabs>\n"
    assert structure(body) == ["<Tabs>", "</Tabs>"]
    assert suppress.parse(body).file_wide == set()

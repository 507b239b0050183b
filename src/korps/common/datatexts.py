"""Texts that come from data, in the user's language: the names, labels and explanations of
the bundled YAML datasets (the portal's categories and statuses, the IB questions, the
control room's categories, the monitor's indicators ...).

The Dutch text in the dataset is the message id, as in the code. :data:`TEXTS` lists, per
bundled file, exactly the keys a user reads (``categories[].name``, ``statuses[].label``);
codes, sources, assumptions and figures are never extracted. :func:`extract_yaml` is the
Babel extractor for those files (registered in ``korps.common.catalogue.METHODS``, so
``make messages`` adds them to the catalogues), and :func:`shown` translates such a text
where it is shown (the ``| t`` filter in the templates). What is stored stays Dutch: the
database keeps codes and the Dutch texts, only what is shown is translated.

A dataset a user loads later (their own ``portal.yaml``) may have texts that are not in the
catalogue: gettext then falls back and they show as written.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import PurePath
from typing import IO, Any

import yaml

from korps.common.i18n import gettext

#: per bundled dataset, the keys whose texts a user reads: ``a[].b`` is key ``b`` of every
#: item of the list ``a``; ``a[]`` every item of the list itself; ``[].b`` key ``b`` of every
#: item of a document that is a list
TEXTS: dict[str, tuple[str, ...]] = {
    "portal.yaml": (
        "categories[].name",
        "categories[].identifier_label",
        "statuses[].label",
        "statuses[].citizen",
        "statuses[].explanation",
        "channels[].name",
        "templates[].name",
        "templates[].text",
        "routing[].explanation",
    ),
    "portal-ib.yaml": (
        "sections[].name",
        "questions[].text",
        "levels[].name",
        "measures[].name",
        "measures[].text",
    ),
    "portal-verzoeken.yaml": ("kinds[].intro",),
    "meldkamer.yaml": (
        "channels[].name",
        "close_reasons[].name",
        "unit_kinds[].name",
        "categories[].name",
    ),
    "monitor-indicatoren.yaml": ("indicators[].name", "indicators[].definition"),
    "bronnen.yaml": ("[].title", "[].what", "[].used_for"),
    # the organisation's registers: what a unit is and does (names are names, and so are
    # the datasets' titles, which are the names of the units they describe, "Eenheid
    # Rotterdam"; the totals' labels cite the publication's rows and stay as published)
    **dict.fromkeys(
        ("nederland.yaml", "oost-nederland.yaml", "rotterdam.yaml", "politiezone-voorbeeld.yaml"),
        ("description", "units[].description", "units[].tasks[]"),
    ),
}


def shown(text: object) -> str:
    """``text`` (a Dutch text from data, or a label) in the current locale; a text the
    catalogue does not know is shown as written, nothing (None, "") as an empty string."""
    if text is None or text == "":
        return ""
    return gettext(text) if isinstance(text, str) else str(text)


def _walk(node: yaml.Node, steps: list[str]) -> Iterator[yaml.ScalarNode]:
    """The scalar nodes at ``steps`` (``["categories[]", "name"]``) under ``node``."""
    if not steps:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            yield node
        return
    step, rest = steps[0], steps[1:]
    key, every = (step[:-2], True) if step.endswith("[]") else (step, False)
    if step == "[]" and isinstance(node, yaml.SequenceNode):  # a document that is a list
        for item in node.value:
            yield from _walk(item, rest)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value in node.value:
        if key_node.value != key:
            continue
        if not every:
            yield from _walk(value, rest)
        elif isinstance(value, yaml.SequenceNode):
            for item in value.value:
                yield from _walk(item, rest)


def texts(source: str, keys: Collection[str]) -> Iterator[tuple[int, str]]:
    """(line, text) of every text at ``keys`` in the YAML document ``source``."""
    root = yaml.compose(source)
    if root is None:
        return
    for key in keys:
        for node in _walk(root, key.split(".")):
            if node.value.strip():
                yield node.start_mark.line + 1, node.value.strip()


def extract_yaml(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor: the whitelisted texts of a bundled dataset (:data:`TEXTS`, chosen by
    the file's name); a file without an entry gives nothing."""
    keys = TEXTS.get(PurePath(str(getattr(fileobj, "name", ""))).name, ())
    if not keys:
        return
    source = fileobj.read().decode("utf-8")
    for line, text in sorted(texts(source, keys)):
        yield line, None, text, []

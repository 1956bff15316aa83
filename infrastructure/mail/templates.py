"""Messages from Jinja2 templates: NAME.subject.txt, NAME.txt and NAME.html in templates/."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from domain.mail import Letter


class JinjaMailTemplates:
    """HTML is autoescaped, text is not; a value a template names but is not given is an
    error, not an empty string in somebody's mail."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("infrastructure.mail", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        # Compiled now, not on first use: the first reset asked for a known address would
        # otherwise take longer than one asked for an unknown address.
        for name in self._env.list_templates():
            self._env.get_template(name)

    def render(self, name: str, values: Mapping[str, str]) -> Letter:
        def part(suffix: str) -> str:
            return self._env.get_template(f"{name}.{suffix}").render(**values)

        # A header is one line: whatever a value holds, the subject cannot grow another.
        subject = " ".join(part("subject.txt").split())
        return Letter(subject=subject, text=part("txt"), html=part("html"))

"""What a browser makes of a page's forms: which <form> each submit button
posts, and any <form> nested in another (a browser drops the inner start tag,
so its buttons post the outer form, and its </form> ends the outer one)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str | None
    method: str
    id: str | None


@dataclass
class SubmitButton:
    label: str
    name: str | None
    form: Form | None  # None: outside every form, posts nothing


@dataclass
class PageForms:
    forms: list[Form] = field(default_factory=list)
    nested: list[tuple[Form, Form]] = field(default_factory=list)  # (outer, inner)
    buttons: list[SubmitButton] = field(default_factory=list)

    def button(self, label: str) -> SubmitButton:
        (match,) = [button for button in self.buttons if button.label == label]
        return match


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = PageForms()
        self.open_forms: list[Form] = []
        self.button_text: list[str] | None = None
        self.button_attrs: dict = {}
        self.form_attributes: list[tuple[SubmitButton, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            form = Form(attrs.get("action"), (attrs.get("method") or "get").lower(), attrs.get("id"))
            if self.open_forms:
                self.page.nested.append((self.open_forms[-1], form))
            self.open_forms.append(form)
            self.page.forms.append(form)
        elif tag == "button" and (attrs.get("type") or "submit") == "submit" and "disabled" not in attrs:
            self.button_text, self.button_attrs = [], attrs
        elif tag == "input" and attrs.get("type") == "submit":
            self._add_button(attrs.get("value") or "", attrs)

    def handle_data(self, data):
        if self.button_text is not None:
            self.button_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.open_forms:
            self.open_forms.pop()
        elif tag == "button" and self.button_text is not None:
            self._add_button("".join(self.button_text).strip(), self.button_attrs)
            self.button_text = None

    def _add_button(self, label, attrs):
        owner = self.open_forms[-1] if self.open_forms else None
        self.page.buttons.append(SubmitButton(label, attrs.get("name"), owner))
        if attrs.get("form"):  # the HTML form attribute: the form with that id, wherever it is on the page
            self.form_attributes.append((self.page.buttons[-1], attrs["form"]))


def page_forms(html: str) -> PageForms:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    forms_by_id = {form.id: form for form in parser.page.forms if form.id}
    for button, form_id in parser.form_attributes:
        button.form = forms_by_id.get(form_id)
    return parser.page

"""Keyboard checks shared by the browser tests: where focus is, the skip link."""

from playwright.sync_api import expect


def focused(page):
    """The focused element: what it is, whether its focus ring shows, where."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName, id: el.id, text: el.innerText || "",
                outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                inView: box.bottom > 0 && box.top < innerHeight && box.width > 0,
                inMain: !!el.closest("main"),
                inMatrix: !!el.closest("table.matrix, .table-scroll"),
            };
        }"""
    )


def use_the_skip_link(page):
    """The first Tab shows the skip link; Enter moves focus to the content."""
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to main content"
    assert skip["inView"] and skip["outline"] != "none", skip
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

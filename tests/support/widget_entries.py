"""The built-in widgets: importing this module registers them."""

from support.widgets import WIDGETS

WIDGETS.add("planted", 42)

"""A registry whose built-in entries live in another module (support.widget_entries), as ganbench's do."""

from ganbench.registry import Registry

WIDGETS: Registry[int] = Registry("widget", builtins="support.widget_entries")

"""One small registry class shared by models, datasets, metrics, feature extractors, sample kinds and suites."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from ganbench.errors import GanbenchError

T = TypeVar("T")


class Registry(Generic[T]):
    """A name -> object table filled by a decorator.

    `kind` is the word used in error messages ("metric", "dataset", ...). `builtins` names the module whose
    import registers the built-in entries (each in its own decorated file); it is imported on the first
    lookup, so a caller never has to import a package just for its side effect, and a command that needs no
    registry (such as `--help`) does not pay for importing every entry.
    Registering a name twice is an error, never a silent overwrite; looking up an
    unknown name raises a GanbenchError listing the valid names.
    """

    def __init__(self, kind: str, builtins: str | None = None) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._builtins = builtins

    def _load_builtins(self) -> None:
        if self._builtins is not None:
            module, self._builtins = self._builtins, None
            importlib.import_module(module)

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: `@REG.register("name")` stores the decorated object under `name`."""

        def decorator(obj: T) -> T:
            self.add(name, obj)
            return obj

        return decorator

    def add(self, name: str, obj: T) -> None:
        """Store `obj` under `name`; a duplicate name raises ValueError (a programming error)."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = obj

    def get(self, name: str) -> T:
        """The object registered as `name`, or a GanbenchError naming the valid choices."""
        self._load_builtins()
        try:
            return self._entries[name]
        except KeyError:
            raise GanbenchError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names()) or '(none registered)'}"
            ) from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        self._load_builtins()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        self._load_builtins()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        self._load_builtins()
        return len(self._entries)

    def parse_list(self, text: str) -> list[str]:
        """Split a comma-separated list of names and check each one exists (order kept, duplicates dropped)."""
        names = [part.strip() for part in text.split(",") if part.strip()]
        if not names:
            raise GanbenchError(f"no {self.kind} named; choose from: {', '.join(self.names())}")
        for name in names:
            self.get(name)
        return list(dict.fromkeys(names))

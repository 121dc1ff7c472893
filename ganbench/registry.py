"""One small registry class shared by models, datasets, metrics, feature extractors, sample kinds and suites."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Iterator
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
            raise GanbenchError(unknown_name(self.kind, name, self.names())) from None

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


def close_name(name: str, names: Iterable[str]) -> str | None:
    """The known name closest to a mistyped one (difflib's ratio, at least 0.6), or None."""
    names = list(names)
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not found:  # a transposition in a short name ("gna", "rign8") scores low on the whole; try the letters
        found = [known for known in names if sorted(known) == sorted(name)][:1]
    return found[0] if found else None


def unknown_name(kind: str, name: str, names: Iterable[str], extra: str = "") -> str:
    """"unknown model 'pacgan5'; did you mean 'pacgan4'? choose one of: ..." (`extra` ends the list)."""
    names = list(names)
    close = close_name(name, names)
    guess = f"did you mean {close!r}? " if close else ""
    return f"unknown {kind} {name!r}; {guess}choose one of: {', '.join(names) or '(none registered)'}{extra}"

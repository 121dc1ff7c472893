"""From a dataset name on the command line to a DatasetSpec: registered names and `folder:` / `npz:` paths."""

from __future__ import annotations

from ganbench.data.base import DATASETS, DatasetSpec
from ganbench.data.local import LOCAL_PREFIXES, local_dataset
from ganbench.errors import GanbenchError
from ganbench.registry import unknown_name

#: how an unknown dataset's message ends: the forms that are not names
LOCAL_CHOICE = ", or folder:PATH / npz:PATH for your own images"


def resolve_dataset(name: str) -> DatasetSpec:
    """The dataset called `name`: a registered one, or `folder:PATH` / `npz:PATH` read from disk.

    Unknown names raise a GanbenchError listing every valid choice.
    """
    if name.startswith(LOCAL_PREFIXES):
        return local_dataset(name)
    if name not in DATASETS:
        raise GanbenchError(unknown_name("dataset", name, DATASETS.names(), LOCAL_CHOICE))
    return DATASETS.get(name)

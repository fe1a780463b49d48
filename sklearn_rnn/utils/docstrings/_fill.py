"""The machinery of :mod:`sklearn_rnn.utils.docstrings`: read and fill entries."""

import inspect
import re
import textwrap
from typing import NamedTuple

__all__ = ["Entry", "fill_docstring", "parse_entries"]


class Entry(NamedTuple):
    """One parameter or attribute: its type and its description lines.

    The values of the entry dictionaries (:func:`parse_entries`'s result,
    ``PARAMETERS`` and the others); :func:`fill_docstring` writes an entry
    ``name`` as the line ``name : <type>``, with ``, default=...`` from the
    class's signature for a parameter, then the description lines indented
    by four spaces.

    Parameters
    ----------
    type : str
        The type line, without the default: ``"int"``,
        ``"{'lstm', 'gru'}"``.

    description : tuple of str
        The description, one line per item, without its indentation; an
        empty string is a blank line (before a list, say).

    See Also
    --------
    parse_entries : Read entries from numpydoc text.
    fill_docstring : Write entries into a class's docstrings.

    Examples
    --------
    >>> from sklearn_rnn.utils.docstrings import PARAMETERS, Entry
    >>> PARAMETERS["hidden_size"].type
    'int'
    >>> entry = Entry("int", ("Number of past steps per window.",))
    >>> entry.description
    ('Number of past steps per window.',)
    >>> {**PARAMETERS, "window_length": entry}["window_length"] == entry
    True
    """

    type: str
    description: tuple


def parse_entries(text):
    """Read numpydoc entries (``name : type`` and indented lines) into a dict.

    Blank lines inside a description (before a list, say) are kept; the
    blank lines between entries are not.

    Parameters
    ----------
    text : str
        Entries in numpydoc form without defaults: a line ``name : type``,
        then the description indented by four spaces. The whole text may be
        indented.

    Returns
    -------
    entries : dict of str to Entry
        The entries by name, in the order written.

    Raises
    ------
    ValueError
        If an entry has no ``" : type"`` or a description comes first.

    Examples
    --------
    >>> from sklearn_rnn.utils.docstrings import parse_entries
    >>> entries = parse_entries('''
    ...     window_length : int
    ...         Number of past steps per window.
    ... ''')
    >>> entries["window_length"]
    Entry(type='int', description=('Number of past steps per window.',))
    """
    entries, name = {}, None
    for line in textwrap.dedent(text).strip("\n").splitlines():
        if line and not line[0].isspace():
            name, _, type_ = line.partition(" : ")
            if not type_:
                raise ValueError(f"Entry {name!r} has no ' : type'.")
            entries[name] = [type_]
        elif name is None:
            raise ValueError(f"Description before the first entry: {line!r}")
        else:
            entries[name].append(line[4:] if line.strip() else "")
    result = {}
    for name, (type_, *description) in entries.items():
        while description and not description[-1]:
            description.pop()
        result[name] = Entry(type_, tuple(description))
    return result


def _format_default(value):
    """A default as numpydoc writes it: strings in double quotes, else repr."""
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _format_entries(entries, defaults=None):
    """Entries as docstring lines (unindented), a blank line between them."""
    lines = []
    for name, entry in entries.items():
        header = f"{name} : {entry.type}"
        if defaults is not None and defaults[name] is not inspect.Parameter.empty:
            header += f", default={_format_default(defaults[name])}"
        description = [f"    {line}" if line else "" for line in entry.description]
        lines += ["", header, *description]
    return lines[1:]


def _parameters_of(cls, entries):
    """The Parameters entries of ``cls``, in the order of its signature."""
    signature = inspect.signature(cls.__init__)
    names = [name for name in signature.parameters if name != "self"]
    missing = [name for name in names if name not in entries]
    if missing:
        raise ValueError(f"{cls.__name__}: no documentation for parameters {missing}.")
    defaults = {name: signature.parameters[name].default for name in names}
    return _format_entries({name: entries[name] for name in names}, defaults)


def _own_functions(cls):
    """The documented functions defined in the body of ``cls`` (not inherited)."""
    for value in vars(cls).values():
        function = getattr(value, "__func__", value)  # classmethod, staticmethod
        function = getattr(function, "fn", function)  # sklearn's available_if
        if inspect.isfunction(function) and function.__doc__:
            yield function


_MARKER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>\w+)\}[ \t]*$", re.MULTILINE)


def fill_docstring(parameters, attributes=None, **texts):
    """Class decorator: write shared entries into the class's docstrings.

    Markers are filled in the class docstring and in the docstrings of the
    functions defined in the class body (its methods, not inherited ones),
    so a method can share an entry such as the type line of ``X``.

    Parameters
    ----------
    parameters : dict of str to Entry or None
        Entries for (at least) every parameter of the class's ``__init__``;
        they replace the marker line ``{parameters}``, in signature order and
        with the signature's defaults. None for a class whose parameters
        are documented in place.

    attributes : dict of str to Entry, default=None
        Entries that replace the marker line ``{attributes}``, in the order
        given.

    **texts : str
        Further blocks of text, each replacing the marker line of its name.

    Returns
    -------
    decorate : callable
        Sets ``cls.__doc__`` and its methods' ``__doc__`` and returns
        ``cls``. It raises if a parameter has no entry, or if a marker is
        missing or left unfilled.

    Examples
    --------
    >>> from sklearn_rnn.utils.docstrings import PARAMETERS, fill_docstring
    >>> @fill_docstring(PARAMETERS)
    ... class Wrapper:
    ...     '''A wrapper of SequenceRegressor.
    ...
    ...     Parameters
    ...     ----------
    ...     {parameters}
    ...     '''
    ...     def __init__(self, hidden_size=32, max_iter=100):
    ...         self.hidden_size = hidden_size
    ...         self.max_iter = max_iter
    >>> print(Wrapper.__doc__.splitlines()[4])
        hidden_size : int, default=32
    """

    def decorate(cls):
        if cls.__doc__ is None:  # python -OO strips docstrings
            return cls
        blocks = {}
        if parameters is not None:
            blocks["parameters"] = _parameters_of(cls, parameters)
        if attributes is not None:
            blocks["attributes"] = _format_entries(attributes)
        blocks.update(
            (name, textwrap.dedent(text).strip("\n").splitlines())
            for name, text in texts.items()
        )
        found = set()

        def fill(match):
            name = match["name"]
            if name not in blocks:
                raise ValueError(f"{cls.__name__}: nothing to fill {{{name}}} with.")
            found.add(name)
            indent = match["indent"]
            return "\n".join(indent + line if line else "" for line in blocks[name])

        cls.__doc__ = _MARKER.sub(fill, cls.__doc__)
        for function in _own_functions(cls):
            function.__doc__ = _MARKER.sub(fill, function.__doc__)
        unused = sorted(set(blocks) - found)
        if unused:
            raise ValueError(f"{cls.__name__}: its docstring has no marker {unused}.")
        return cls

    return decorate

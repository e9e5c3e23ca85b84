"""mapgen: customer journey maps as code.

The pipeline runs one way, one module per stage::

    load  ->  model  ->  validate  ->  diagrams  ->  site  ->  write

``mapgen.cli`` is a thin Click layer over it.
"""

__version__ = "0.1.0"

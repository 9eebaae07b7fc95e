"""Annotate a submitted .xlsx/.xlsm by editing its XML parts in place.

openpyxl loads every cell of a workbook into Python objects and writes them all back: for a
returned workbook that costs about eight times writing the same cells, although only the
cells with a fix or an issue change, and it drops what it does not model (charts, images,
pivots, controls, cached formula results). This package copies every part of the package
unchanged except:

- the worksheets with edits: only the ``<row>`` elements holding an edited cell are
  rewritten (:mod:`.sheetdata`);
- ``xl/styles.xml``: formats appended, existing indices never move (:mod:`.styles`);
- each annotated sheet's comments and legacy VML drawing, merged with the notes already
  there (:mod:`.comments`);
- the new sheets (``问题清单``, ``与上次提交对比``; an earlier return's copies are removed
  first) with their relationships, content types and defined names (:mod:`.newsheet`,
  :mod:`.workbook`); ``calcChain.xml`` is dropped (Excel rebuilds it).

Transitional and Strict OOXML, prefixed SpreadsheetML (``<x:row>``) and 1904 dates are
handled (:mod:`.package`). Anything else this package does not understand raises
:class:`PatchUnsupported` *before* the destination is written; the caller then takes
another path (docs/outputs.md, Returned workbooks). Still unsupported: rows or cells without
``r``, attributes not written ``name="value"``, an edit on a shared or array formula's
master cell.
"""
from .comments import MARK
from .newsheet import NewSheet, new_sheet_xml, sheet_ref
from .package import Package, PatchUnsupported
from .sheetdata import CellEdit, anchor_of, cell_xml, patch_sheet_xml, split_coord, text_cell
from .styles import Styles
from .workbook import Workbook

__all__ = ["MARK", "CellEdit", "NewSheet", "Package", "PatchUnsupported", "Styles", "Workbook", "anchor_of",
           "cell_xml", "new_sheet_xml", "patch_sheet_xml", "sheet_ref", "split_coord", "text_cell"]

"""The export as an .xlsx workbook (one sheet per table) and the checklist as a .csv."""

from __future__ import annotations

import csv
import io

from domain.export import Table

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection,
# OWASP): user text that starts so is written with a leading apostrophe in the CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_COLUMN_WIDTH = 60


def workbook_bytes(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        for index, header in enumerate(table.headers):
            longest = max((len(row[index]) for row in table.rows), default=0)
            width = min(_MAX_COLUMN_WIDTH, max(len(header), longest) + 2)
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        header_cells = []
        for header in table.headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in table.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                # Text stays text: openpyxl would take "=..." for a formula.
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a byte order mark, so Excel opens Korean text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["'" + v if v.startswith(_FORMULA_START) else v for v in row])
    return out.getvalue().encode("utf-8-sig")

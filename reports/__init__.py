"""Files the bot renders: the export workbook and CSV (openpyxl, csv) and the report's chart
(matplotlib). Pure functions, data in, bytes out, CPU-bound: the bot runs them in a worker
thread (dialogs/files.py), never on the event loop. matplotlib is imported on first use, so
start-up and memory stay as they were until someone asks for a chart."""

"""The reader process of a large xlsx sheet: reading and checking a big recipient list on two cores.

Reading a sheet (cutting its XML into slices, calamine parsing each) costs about as much CPU per row as the
checks that follow it, and both run in one Python process otherwise. For a sheet larger than
``spreadsheet.PROCESS_MIN_BYTES`` the import's :class:`~reporting.spreadsheet.XlsxReader` starts this module
as a separate process (a plain ``python -m``, so it also works inside a Celery worker, whose pool processes
may not fork children of their own): it reads the sheet with the sliced reader and sends the rows back
through its standard output, a few thousand at a time, while the import checks the rows already received.
The pipe's small buffer holds the reader back when the import is slower, so memory stays bounded in both
processes.

Frames: an 8-byte big-endian length, then a pickle of ``("rows", [(number, values), ...])``,
``("error", message)`` (a :class:`~reporting.spreadsheet.SpreadsheetError`, its message safe to show) or
``("failed", exception type name)``; the last frame is ``("end", peak resident memory in kB)`` unless an
error ended the read.
Nothing the reader writes names a cell's content: an unexpected failure sends only the exception's type,
since a message may quote a row (personal data, UU 27/2022).
"""

from __future__ import annotations

import pickle
import struct
import sys

FRAME_HEADER = struct.Struct(">Q")
ROWS_PER_FRAME = 2_000


def _send(out, message: tuple) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(FRAME_HEADER.pack(len(payload)))
    out.write(payload)


def _peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM: since its start as this program, not the fork before)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv: list[str]) -> int:
    from reporting import spreadsheet
    from spm import zipcheck

    path, slice_bytes = argv[0], int(argv[1])
    out = sys.stdout.buffer
    reader = spreadsheet.XlsxReader(path, slice_bytes=slice_bytes, in_process=True)
    batch: list = []
    try:
        try:
            for item in reader.sliced_rows():
                batch.append(item)
                if len(batch) >= ROWS_PER_FRAME:
                    _send(out, ("rows", batch))
                    batch = []
        except zipcheck.ZIP_ERRORS:
            raise spreadsheet.SpreadsheetError(spreadsheet.CORRUPT) from None
        if batch:
            _send(out, ("rows", batch))
        _send(out, ("end", _peak_rss_kb()))
    except spreadsheet.SpreadsheetError as exc:
        _send(out, ("error", str(exc)))
    except BrokenPipeError:
        return 1  # the import stopped reading (cancelled, or it failed on a row): nothing to tell
    except Exception as exc:  # noqa: BLE001 - reported by type only (see the module docstring)
        _send(out, ("failed", type(exc).__name__))
        return 1
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Apache Spark reads tocsin's Parquet export: every file, every column, every value.

The export's tests read it with DuckDB and pandas (tests/store/test_parquet_export.py); Spark
needs a JVM and a 450 MB package, so it is checked here instead, by hand. Reproduce from
the repository root, with a Python that has pyspark and pyarrow (``pip install
'tocsin[spark]'``, or a separate virtualenv: ``pip install pyspark pyarrow``) and a Java 17
or later on PATH:

    .venv/bin/tocsin demo --db /tmp/demo.db
    .venv/bin/tocsin export --db /tmp/demo.db --format parquet --output /tmp/export
    SPARK_PYTHON bench/spark_read.py /tmp/export

A local Spark (one core, on 127.0.0.1, no UI) reads each ``*.parquet`` file of the folder;
pyarrow reads it too; the script compares their schemas' column names, row counts and
every value (timestamps in UTC; floats exactly). It prints a table and writes the "Parquet
export: read by Spark" section of docs/benchmarks.md. It reports; it asserts nothing, but
exits 1 when a file differs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Parquet export: read by Spark"


def _plain(value: Any) -> Any:
    """A value as both readers can be compared on: aware times as naive UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def compare(spark: Any, path: Path) -> dict[str, Any]:
    """One file read by Spark and by pyarrow: columns, rows, and the first difference."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    frame = spark.read.parquet(str(path))
    columns = list(frame.columns)
    arrow_rows = [[_plain(v) for v in row.values()] for row in table.to_pylist()]
    spark_rows = [[_plain(v) for v in row] for row in frame.collect()]
    key = [i for i, c in enumerate(columns) if c in ("id", "article_id", "key")][:1]

    def order(rows: list[list[Any]]) -> list[list[Any]]:
        return sorted(rows, key=lambda r: repr([r[i] for i in key] or r))

    difference = ""
    if columns != table.column_names:
        difference = f"columns {columns} != {table.column_names}"
    elif order(spark_rows) != order(arrow_rows):
        pairs = zip(order(spark_rows), order(arrow_rows), strict=False)
        first = next(((s, a) for s, a in pairs if s != a), None)
        difference = f"rows differ, first: {first}" if first else "row counts differ"
    return {
        "file": path.name,
        "columns": len(columns),
        "rows_spark": len(spark_rows),
        "rows_arrow": table.num_rows,
        "spark_types": ", ".join(sorted({f.dataType.simpleString() for f in frame.schema})),
        "same": not difference,
        "difference": difference,
    }


def section(results: list[dict[str, Any]], versions: str, folder: Path) -> str:
    rows = ["| file | columns | rows (Spark / pyarrow) | Spark's types | same values |",
            "|---|---:|---:|---|---|"]  # fmt: skip
    for r in results:
        same = "yes" if r["same"] else f"**no**: {r['difference'][:120]}"
        rows.append(f"| {r['file']} | {r['columns']} | {r['rows_spark']:,} / {r['rows_arrow']:,}"
                    f" | {r['spark_types']} | {same} |")  # fmt: skip
    when = time.strftime("%Y-%m-%d", time.gmtime())
    head = (
        f"`SPARK_PYTHON bench/spark_read.py {folder}` ({when}; {versions}): a local Spark"
        " read every file of a Parquet export of the demo store (`tocsin demo`, then `tocsin"
        " export --format parquet`), and its values were compared with pyarrow's, row by row"
        " (timestamps in UTC). The export's tests read it with DuckDB and pandas; Spark needs"
        " a JVM, so it is checked by hand with this script."
    )
    return "\n".join([HEADING, "", head, "", *rows]) + "\n"


def _replace_section(doc: str, text: str) -> str:
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(doc):
        return pattern.sub(lambda _: text.rstrip("\n") + "\n\n", doc).rstrip("\n") + "\n"
    return doc.rstrip("\n") + "\n\n" + text


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    folder = Path(sys.argv[1])
    os.environ.setdefault("TZ", "UTC")
    import pyarrow
    import pyspark
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("tocsin-parquet-check")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        java = spark.sparkContext._jvm.System.getProperty("java.version")  # type: ignore[union-attr]
        versions = f"Spark {pyspark.__version__}, Java {java}, pyarrow {pyarrow.__version__}"
        results = [compare(spark, path) for path in sorted(folder.glob("*.parquet"))]
    finally:
        spark.stop()
    for r in results:
        print(f"{r['file']:<28} {r['rows_spark']:>8} {r['rows_arrow']:>8} "
              f"{'same' if r['same'] else r['difference']}")  # fmt: skip
    DOC.write_text(_replace_section(DOC.read_text("utf-8"), section(results, versions, folder)))
    print(f"wrote the section of {DOC.relative_to(ROOT)}")
    return 0 if results and all(r["same"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

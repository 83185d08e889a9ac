"""Splink on Spark for data that outgrows one machine (`dossier resolve --engine spark`).

Local mode stays on loopback: without the bind settings Spark dials the machine's
external address, and its UI would open a port. The Jaro-Winkler functions Splink needs
come as a jar inside the splink package; nothing is downloaded.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

import pandas as pd

from schemas.errors import DossierError

MASTER_ENV = "DOSSIER_SPARK_MASTER"  # e.g. local[2] (default), or a cluster's master URL


class SparkUnavailable(DossierError):
    exit_code = 69


def spark_session() -> Any:
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError:
        raise SparkUnavailable(
            "--engine spark needs pyspark: pip install 'dossier[spark]' (and Java 17+)"
        ) from None
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master(os.environ.get(MASTER_ENV, "local[2]"))
        .appName("dossier-resolve")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.jars", similarity_jar_location())
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="dossier-spark-"))
    return session


def spark_database() -> tuple[Callable[[pd.DataFrame], Any], Callable[[], None]]:
    """(register a pandas frame with Splink's Spark backend, release nothing: the session
    is reused by later runs in the same process)."""
    from splink import SparkAPI

    api = SparkAPI(spark_session=spark_session())
    session = api.spark

    def register(frame: pd.DataFrame) -> Any:
        return api.register(_typed(session.createDataFrame(frame)))

    return register, lambda: None


def _typed(data: Any) -> Any:
    """A column that holds no value at all (no profile has a circle of contacts in the
    first pass) comes out of pandas untyped, and Spark refuses array functions on it:
    give it the type the model reads it as."""
    from pyspark.sql.functions import col
    from pyspark.sql.types import NullType

    from ingest.resolve.prepare import ARRAY_COLUMNS

    for column in data.schema:
        if isinstance(column.dataType, NullType):
            kind = "array<string>" if column.name in ARRAY_COLUMNS else "string"
            data = data.withColumn(column.name, col(column.name).cast(kind))
    return data

package org.computeledger.ingest;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests of other packages write the CUR 2.0 Parquet fixture (see {@link ParquetBillsTest}). */
public final class ParquetBillsTestAccess {
  private ParquetBillsTestAccess() {}

  public static void writeCur2Parquet(Path csv, Path parquet) throws IOException {
    ParquetBillsTest.writeCur2Parquet(csv, parquet);
  }

  /** The Google Cloud fixture as BigQuery's Parquet export, written by Spark into {@code dir}; the file. */
  public static Path writeGcpParquet(org.apache.spark.sql.SparkSession spark, Path dir) throws IOException {
    return ParquetBillsTest.writeGcpParquet(spark, dir);
  }
}

package org.computeledger.ingest;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests of other packages write the CUR 2.0 Parquet fixture (see {@link ParquetBillsTest}). */
public final class ParquetBillsTestAccess {
  private ParquetBillsTestAccess() {}

  public static void writeCur2Parquet(Path csv, Path parquet) throws IOException {
    ParquetBillsTest.writeCur2Parquet(csv, parquet);
  }
}

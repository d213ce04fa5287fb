package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the GPU ledger is laid out on disk: by day, measured doubles without a dictionary. */
class LedgerWriteTest extends SparkTestBase {
  @TempDir Path tmp;

  @Test
  void theLedgerIsWrittenByDayWithDictionariesForNamesOnly() throws Exception {
    StructType schema = new StructType().add("host", DataTypes.StringType).add("flop", DataTypes.DoubleType)
        .add("day", DataTypes.StringType);
    // repeated values, which Parquet would put in a dictionary by default, doubles included
    List<Row> values = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      values.add(RowFactory.create("n" + (i % 3), 0.5 * (i % 3), i < 600 ? "2026-03-01" : "2026-03-02"));
    }
    Dataset<Row> rows = spark().createDataFrame(values, schema).coalesce(1);
    Path out = tmp.resolve("ledger-write").resolve("gpu_usage");
    RunCommand.writeLedger(rows, out.toString());

    File[] days = out.toFile().listFiles(f -> f.getName().startsWith("day="));
    assertEquals(2, days.length);
    File part = Files.list(days[0].toPath()).filter(p -> p.toString().endsWith(".parquet")).findFirst()
        .orElseThrow().toFile();
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(part.toURI()), new Configuration()))) {
      for (ColumnChunkMetaData c : r.getFooter().getBlocks().get(0).getColumns()) {
        boolean dictionary = c.getEncodings().contains(Encoding.PLAIN_DICTIONARY)
            || c.getEncodings().contains(Encoding.RLE_DICTIONARY);
        if (c.getPath().toDotString().equals("flop")) {
          assertFalse(dictionary, "doubles without a dictionary: " + c.getEncodings());
        } else {
          org.junit.jupiter.api.Assertions.assertTrue(dictionary, "names keep their dictionary: " + c.getEncodings());
        }
      }
    }
    assertEquals(0.5 * 333 + 1.0 * 333, spark().read().parquet(out.toString()).agg(org.apache.spark.sql.functions.sum("flop"))
        .first().getDouble(0), 0.0);
  }

  @Test
  void aTableIsCopiedFileForFileWithoutHadoopsSideFiles() throws Exception {
    Path from = Files.createDirectory(tmp.resolve("ledger-copy-from"));
    byte[] data = {'P', 'A', 'R', '1', 0, 1, 2, 'P', 'A', 'R', '1'};
    Files.write(from.resolve("part-00000.zstd.parquet"), data);
    Files.write(from.resolve("._SUCCESS.crc"), new byte[] {9});
    Files.write(from.resolve("_SUCCESS"), new byte[0]);
    Path to = tmp.resolve("ledger-copy-to").resolve("quarantine");

    RunCommand.copyTable(new Configuration(), new org.apache.hadoop.fs.Path(from.toUri()),
        new org.apache.hadoop.fs.Path(to.toUri()));
    try (var files = Files.list(to)) {
      assertEquals(List.of("part-00000.zstd.parquet"), files.map(p -> p.getFileName().toString())
          .filter(n -> !n.endsWith(".crc")).sorted().toList());
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(data, Files.readAllBytes(to.resolve("part-00000.zstd.parquet")));
  }
}

package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.spark.sql.Row;
import org.computeledger.schema.Charges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CUR 2.0 Parquet bill damaged mid-body: written here from the CUR 2.0 fixture (6 charge rows, lines
 * 2-7), then a byte of one page flipped or the file cut. What can be read is read and counted, each row
 * that cannot is quarantined at its own line with the row group and row range, and the file's counts add up.
 */
class DamagedParquetBillTest {
  private static final IngestParams PARAMS =
      IngestParams.defaults().withRunInstant(java.time.Instant.parse("2026-12-04T14:30:00Z"));
  private static final String COST = "line_item_unblended_cost";

  @TempDir Path tmp;

  private static FileParseTaskTest.Parsed parse(Path file) {
    return FileParseTaskTest.parse(file, "billing", new AwsCurParser(), PARAMS);
  }

  private static TreeSet<Long> rowLines(FileParseTaskTest.Parsed p) {
    TreeSet<Long> lines = new TreeSet<>();
    for (Row r : p.rows) {
      lines.add(p.rowLine(r));
    }
    return lines;
  }

  /** The stored byte range (offset, length) of page {@code page} of {@code column} in row group {@code group}. */
  static long[] page(Path file, int group, String column, int page) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new Configuration(),
        new org.apache.hadoop.fs.Path(file.toString()))) {
      for (ColumnChunkMetaData c : r.getRowGroups().get(group).getColumns()) {
        if (c.getPath().toDotString().equals(column)) {
          OffsetIndex index = r.readOffsetIndex(c);
          return new long[] {index.getOffset(page), index.getCompressedPageSize(page)};
        }
      }
    }
    throw new AssertionError("no column " + column);
  }

  /**
   * Flips every bit of the range's last byte (inside the page's data, after its header). The writer's
   * Hadoop sidecar checksum ({@code .NAME.crc}) is removed: a bill from a provider has none, and the local
   * file system would otherwise refuse the whole stream before Parquet sees the page.
   */
  static void flipLastByte(Path file, long[] range) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = range[0] + range[1] - 1;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0xFF);
    }
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }

  @Test
  void aCorruptPageLosesOnlyItsRowGroupAndTheOtherRowGroupsAreRead() throws IOException {
    // one row per row group: rows 1-6 (lines 2-7) are row groups 1-6
    Path intact = tmp.resolve("intact.parquet");
    Path bill = tmp.resolve("cur2-00001.snappy.parquet");
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, intact,
        b -> b.withRowGroupSize(1L).withMinRowCountForPageSizeCheck(1).withPageWriteChecksumEnabled(true));
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, bill,
        b -> b.withRowGroupSize(1L).withMinRowCountForPageSizeCheck(1).withPageWriteChecksumEnabled(true));
    flipLastByte(bill, page(bill, 2, COST, 0));

    FileParseTaskTest.Parsed whole = parse(intact);
    FileParseTaskTest.Parsed damaged = parse(bill);

    assertEquals(new TreeSet<>(List.of(2L, 3L, 4L, 5L, 6L, 7L)), rowLines(whole));
    assertEquals(new TreeSet<>(List.of(2L, 3L, 5L, 6L, 7L)), rowLines(damaged), "row 3 (line 4) lost, the rest read");
    assertEquals(1, damaged.quarantine.size());
    assertEquals(4L, damaged.quarantineLine(0));
    assertTrue(damaged.reason(0).startsWith("Parquet row group 3 of 6 damaged: rows 3-3 of the file (lines 4-4)"
        + " cannot be read: "), damaged.reason(0));
    assertTrue(damaged.damage().startsWith("Parquet: 1 row(s) in 1 damaged row group range(s) quarantined"),
        damaged.damage());
    assertEquals(7L, damaged.count(Envelope.LINES));
    damaged.assertCountsAddUp();
    assertNull(whole.damage());
  }

  @Test
  void rowsAfterADamagedRangeKeepTheirOwnLineAndValues() throws IOException {
    Path intact = tmp.resolve("intact.parquet");
    Path bill = tmp.resolve("bill.parquet");
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, intact,
        b -> b.withRowGroupSize(1L).withMinRowCountForPageSizeCheck(1).withPageWriteChecksumEnabled(true));
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, bill,
        b -> b.withRowGroupSize(1L).withMinRowCountForPageSizeCheck(1).withPageWriteChecksumEnabled(true));
    flipLastByte(bill, page(bill, 1, COST, 0));
    FileParseTaskTest.Parsed whole = parse(intact);
    FileParseTaskTest.Parsed damaged = parse(bill);
    int cost = whole.table.index(Charges.BILLED_COST);
    int line = whole.table.index("source_line");
    java.util.Map<Long, Object> expected = new java.util.HashMap<>();
    for (Row r : whole.rows) {
      expected.put(r.getLong(line), r.get(cost));
    }
    for (Row r : damaged.rows) {
      assertEquals(expected.get(r.getLong(line)), r.get(cost), "line " + r.getLong(line));
    }
    assertEquals(new TreeSet<>(List.of(2L, 4L, 5L, 6L, 7L)), rowLines(damaged));
  }

  /**
   * Sets the page's definition-level length (the first 4 bytes of a V1 data page's data, after its
   * header) far beyond the page: the page's levels cannot be decoded. Without a page checksum nothing
   * notices while the row group is loaded; the damage shows when the rows reach that page.
   */
  private static void breakLevelsOfPage(Path file, long[] range) throws IOException {
    long headerLength;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(range[0]);
      org.apache.parquet.format.PageHeader header = org.apache.parquet.format.Util.readPageHeader(
          new java.io.BufferedInputStream(in));
      headerLength = range[1] - header.getCompressed_page_size();
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(range[0] + headerLength + 3);
      f.write(0x7F);
    }
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }

  @Test
  void aPageFoundDamagedWhileReadingKeepsTheRowsBeforeItAndQuarantinesTheRestOfItsRowGroup() throws IOException {
    // one row group, one row per page, no page checksums: the cost page of row 4 (line 5) cannot be decoded
    Path bill = tmp.resolve("bill.parquet");
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, bill,
        b -> b.withPageRowCountLimit(1).withMinRowCountForPageSizeCheck(1).withPageWriteChecksumEnabled(false)
            .withDictionaryEncoding(false));
    breakLevelsOfPage(bill, page(bill, 0, COST, 3));
    FileParseTaskTest.Parsed damaged = parse(bill);

    // parquet-mr reads a page's levels as soon as the page before it is used up, so the damage shows while
    // row 3 is assembled: rows 1-2 are read, row 3 goes with the damaged rows 4-6
    assertEquals(new TreeSet<>(List.of(2L, 3L)), rowLines(damaged), "rows 1-2 read");
    List<Long> quarantined = new ArrayList<>();
    for (int i = 0; i < damaged.quarantine.size(); i++) {
      quarantined.add(damaged.quarantineLine(i));
      assertTrue(damaged.reason(i).startsWith("Parquet row group 1 of 1 damaged: rows 3-6 of the file (lines 4-7)"
          + " cannot be read: "), damaged.reason(i));
    }
    assertEquals(List.of(4L, 5L, 6L, 7L), quarantined);
    damaged.assertCountsAddUp();
  }

  @Test
  void aCorruptPageWithAChecksumLosesItsWholeRowGroup() throws IOException {
    // parquet-mr checks every page's CRC as it loads the row group: a bad page there fails the whole group
    Path bill = tmp.resolve("bill.parquet");
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, bill,
        b -> b.withPageRowCountLimit(1).withMinRowCountForPageSizeCheck(1).withPageWriteChecksumEnabled(true)
            .withDictionaryEncoding(false));
    flipLastByte(bill, page(bill, 0, COST, 3));
    FileParseTaskTest.Parsed damaged = parse(bill);
    assertEquals(0, damaged.rows.size());
    assertEquals(6, damaged.quarantine.size());
    assertTrue(damaged.reason(0).contains("CRC checksum verification failed"), damaged.reason(0));
    damaged.assertCountsAddUp();
  }

  @Test
  void aParquetBillCutShortIsOneQuarantineRecordNamingTheFile() throws IOException {
    Path intact = tmp.resolve("intact.parquet");
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, intact);
    byte[] b = Files.readAllBytes(intact);
    Path cut = tmp.resolve("cut.parquet");
    Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
    FileParseTaskTest.Parsed p = parse(cut);
    assertEquals(0, p.rows.size());
    assertEquals(1, p.quarantine.size());
    assertEquals(1L, p.quarantineLine(0));
    assertTrue(p.reason(0).startsWith("Parquet file cannot be read (no valid footer or schema): "), p.reason(0));
    p.assertCountsAddUp();
  }
}

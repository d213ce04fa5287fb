package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.computeledger.SparkTestBase;
import org.computeledger.report.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CUR 2.0 Parquet bill with one damaged row group, ingested from an input folder as a user's run does:
 * the run does not stop, the manifest names the damage and its counts add up (read = accepted +
 * quarantined over the file's six rows), and the quarantine table holds the lost row.
 */
class DamagedParquetIngestTest extends SparkTestBase {
  @TempDir
  Path dir;

  @Test
  void theManifestNamesTheDamageAndItsCountsAddUp() throws Exception {
    Path billing = Files.createDirectories(dir.resolve("in/billing"));
    Path bill = billing.resolve("cur2-00001.snappy.parquet");
    // one row per row group; row group 2's cost chunk gets a flipped byte
    ParquetBillsTest.writeCur2Parquet(ParquetBillsTest.CUR2, bill,
        b -> b.withRowGroupSize(1L).withMinRowCountForPageSizeCheck(1).withPageWriteChecksumEnabled(true));
    DamagedParquetBillTest.flipLastByte(bill, DamagedParquetBillTest.page(bill, 1, "line_item_unblended_cost", 0));

    IngestParams params = IngestParams.defaults();
    List<Ingest.Source> sources = Ingest.discover(spark().sparkContext().hadoopConfiguration(),
        dir.resolve("in").toString(), params);
    Ingest.Result result = Ingest.run(spark(), sources, params, dir.resolve("out").toString());
    ObjectNode manifest = Manifest.newManifest("ingest", java.util.Map.of());
    Manifest.addInputs(manifest, result);

    JsonNode file = null;
    for (JsonNode f : manifest.path("inputs")) {
      if (f.path("path").asText().endsWith("cur2-00001.snappy.parquet")) {
        file = f;
      }
    }
    org.junit.jupiter.api.Assertions.assertTrue(file != null, manifest.toString());
    assertEquals(6, file.path("records_read").asLong(), file.toString());
    assertEquals(5, file.path("records_accepted").asLong(), file.toString());
    assertEquals(1, file.path("records_quarantined").asLong(), file.toString());
    org.junit.jupiter.api.Assertions.assertTrue(file.path("damage").asText().startsWith("Parquet: 1 row(s) in 1 damaged row group range(s) quarantined,"
        + " the first Parquet row group 2 of 6 damaged: rows 2-2 of the file (lines 3-3)"), file.toString());
    List<org.apache.spark.sql.Row> q = spark().read().parquet(dir.resolve("out/quarantine").toString())
        .collectAsList();
    assertEquals(1, q.size());
    assertEquals(3L, q.get(0).<Long>getAs("source_line"));
  }
}

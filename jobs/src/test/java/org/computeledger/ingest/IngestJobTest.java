package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.common.LedgerException;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest end to end on real sample files: detection, counts that add up, declared schemas, quarantine. */
class IngestJobTest extends SparkTestBase {
  @TempDir Path tmp;

  private Path input() throws IOException {
    Path in = tmp.resolve("in");
    Path smi = in.resolve("telemetry/nvidia-smi/node017");
    Files.createDirectories(smi);
    Files.copy(CollectingSink.realSample("nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load.query-gpu.csv"),
        smi.resolve("2026-07.csv"));
    Path dcgm = in.resolve("telemetry/dcgm");
    Files.createDirectories(dcgm);
    String t4 = Files.readString(CollectingSink.realSample("dcgm/cncf-k8s-ai-conformance_ericsson-ccd.prom"));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dcgm.resolve("t4.prom.gz")))) {
      out.write(("# scrape_time: 2026-03-02T10:00:00Z\n" + t4).getBytes(StandardCharsets.UTF_8));
    }
    // the same scrape without a scrape time: its samples cannot be placed in time
    Files.writeString(dcgm.resolve("t4-undated.prom"), t4);
    Path billing = in.resolve("billing");
    Files.createDirectories(billing);
    Files.copy(CollectingSink.realSample("billing/focus-1.0-sample.csv"), billing.resolve("focus.csv"));
    Path sched = in.resolve("scheduler");
    Files.createDirectories(sched);
    Files.copy(CollectingSink.realSample("slurm/habrok-sacct-with-header.txt"), sched.resolve("sacct.txt"));
    return in;
  }

  private Ingest.Result ingest(Path in, Path out) {
    List<Ingest.Source> sources = Ingest.discover(spark().sparkContext().hadoopConfiguration(), in.toString(),
        IngestParams.defaults());
    return Ingest.run(spark(), sources, IngestParams.defaults(), out.toString());
  }

  @Test
  void everyFileCountsAddUpAndEveryTableHasItsDeclaredSchema() throws IOException {
    Path out = tmp.resolve("out");
    Ingest.Result r = ingest(input(), out);
    assertEquals(5, r.files().size());
    Dataset<Row> quarantine = spark().read().parquet(out.resolve("quarantine").toString());
    for (Ingest.FileCounts f : r.files()) {
      // every physical line is a record or a line without one, and the quarantine holds each rejected record
      assertEquals(f.lines(), f.accepted() + f.quarantined() + f.ignored(), f.file() + " lines");
      assertEquals(f.quarantined(), quarantine.filter(quarantine.col("source_file").equalTo(f.file())).count(), f.file());
      assertEquals(64, f.sha256().length());
    }
    for (Table t : Table.canonical()) {
      Dataset<Row> d = spark().read().parquet(out.resolve(t.tableName()).toString());
      assertEquals(t.schema().simpleString(), d.schema().asNullable().simpleString(), t.tableName());
    }
  }

  @Test
  void prometheusLinesOfOneSampleMergeIntoOneRowPerGpuAndTimestamp() throws IOException {
    Path out = tmp.resolve("out");
    ingest(input(), out);
    List<Row> t4 = spark().read().parquet(out.resolve("gpu_samples").toString())
        .filter("source_format = 'prometheus-dcgm'").collectAsList();
    assertEquals(1, t4.size(), t4.toString());
    Row row = t4.get(0);
    // DCGM_FI_DEV_GPU_UTIL 91 (percent) and DCGM_FI_DEV_POWER_USAGE 68.244 in the real T4 scrape
    assertEquals(0.91, row.<Double>getAs("gpu_util"), 1e-12);
    assertEquals(68.244, row.<Double>getAs("power_w"), 1e-12);
    assertEquals("cp-bm14r7", row.getAs("host"));
  }

  @Test
  void undatedScrapeIsQuarantinedWithItsReasonNotDropped() throws IOException {
    Path out = tmp.resolve("out");
    Ingest.Result r = ingest(input(), out);
    Ingest.FileCounts undated = r.files().stream().filter(f -> f.file().endsWith("t4-undated.prom")).findFirst().orElseThrow();
    assertEquals(0, undated.accepted());
    Assertions.assertTrue(undated.quarantined() > 0);
    List<Row> q = spark().read().parquet(out.resolve("quarantine").toString())
        .filter("source_file = 'telemetry/dcgm/t4-undated.prom'").collectAsList();
    assertEquals(undated.quarantined(), q.size());
    Assertions.assertTrue(q.get(0).<String>getAs("reason").contains("scrape_time"), q.get(0).<String>getAs("reason"));
  }

  @Test
  void nvidiaSmiHostIsTheFolderName() throws IOException {
    Path out = tmp.resolve("out");
    ingest(input(), out);
    List<Row> smi = spark().read().parquet(out.resolve("gpu_samples").toString())
        .filter("source_format = 'nvidia-smi'").collectAsList();
    Assertions.assertFalse(smi.isEmpty());
    assertEquals("node017", smi.get(0).getAs("host"));
  }

  @Test
  void aFileInNoKnownFormatIsOneClearErrorBeforeAnythingIsWritten() throws IOException {
    Path in = input();
    Files.writeString(in.resolve("billing/notes.txt"), "lunch order: 3 pizzas\n");
    Path out = tmp.resolve("out");
    LedgerException e = assertThrows(LedgerException.class, () -> ingest(in, out));
    assertEquals("billing/notes.txt: no known input format (first line: 'lunch order: 3 pizzas')", e.getMessage());
    Assertions.assertFalse(Files.exists(out));
  }

  @Test
  void aCorruptGzipFileIsAOneLineErrorNamingTheFile() throws IOException {
    Path in = input();
    byte[] good;
    try (var bytes = new java.io.ByteArrayOutputStream(); OutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(Files.readAllBytes(CollectingSink.realSample("dcgm/cncf-k8s-ai-conformance_kops.prom")));
      gz.close();
      good = bytes.toByteArray();
    }
    // cut the stream short: the header says gzip, the body ends mid-block
    Files.write(in.resolve("telemetry/dcgm/broken.prom.gz"), java.util.Arrays.copyOf(good, good.length / 2));
    Exception e = assertThrows(Exception.class, () -> ingest(in, tmp.resolve("out")));
    String message = org.computeledger.cli.CliTestSupport.userMessage(e);
    Assertions.assertTrue(message.startsWith("telemetry/dcgm/broken.prom.gz: cannot be read"), message);
  }
}

package org.computeledger.ingest;

import org.computeledger.PlansRun;
import org.computeledger.RealSamples;
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
import org.computeledger.common.SmallInputFlag;
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
    Files.copy(RealSamples.file("nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load.query-gpu.csv"),
        smi.resolve("2026-07.csv"));
    Path dcgm = in.resolve("telemetry/dcgm");
    Files.createDirectories(dcgm);
    String t4 = Files.readString(RealSamples.file("dcgm/cncf-k8s-ai-conformance_ericsson-ccd.prom"));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dcgm.resolve("t4.prom.gz")))) {
      out.write(("# scrape_time: 2026-03-02T10:00:00Z\n" + t4).getBytes(StandardCharsets.UTF_8));
    }
    // the same scrape without a scrape time: its samples cannot be placed in time
    Files.writeString(dcgm.resolve("t4-undated.prom"), t4);
    Path billing = in.resolve("billing");
    Files.createDirectories(billing);
    Files.copy(RealSamples.file("billing/focus-1.0-sample.csv"), billing.resolve("focus.csv"));
    Path sched = in.resolve("scheduler");
    Files.createDirectories(sched);
    Files.copy(RealSamples.file("slurm/habrok-sacct-with-header.txt"), sched.resolve("sacct.txt"));
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
      // counted as written, not read back: the same number a reader finds
      assertEquals(d.count(), r.tableRows().get(t), t.tableName());
    }
    assertEquals(quarantine.count(), r.tableRows().get(Table.QUARANTINE));
    Assertions.assertTrue(r.tableRows().get(Table.QUARANTINE) > 0, "the undated scrape's lines are quarantined");
  }

  /** Where an ingest kept what several of its queries read: whether a query scanned Spark's cache, whether a stage persisted an RDD. */
  private record Kept(boolean cacheScanned, boolean rddPersisted) {}

  /** Runs {@code ingest} and records where it kept its rows ({@link Kept}), from every query's plan and every stage's RDDs. */
  private Kept kept(Runnable ingest) throws java.util.concurrent.TimeoutException {
    java.util.concurrent.atomic.AtomicBoolean persisted = new java.util.concurrent.atomic.AtomicBoolean();
    org.apache.spark.scheduler.SparkListener stages = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted e) {
        for (org.apache.spark.storage.RDDInfo rdd : scala.collection.JavaConverters.seqAsJavaList(e.stageInfo().rddInfos())) {
          if (rdd.storageLevel().isValid()) {
            persisted.set(true);
          }
        }
      }
    };
    spark().sparkContext().addSparkListener(stages);
    List<String> plans;
    try {
      // the stage listener is on the same bus, which PlansRun drains before it returns
      plans = PlansRun.during(spark(), ingest);
    } finally {
      spark().sparkContext().removeSparkListener(stages);
    }
    return new Kept(plans.stream().anyMatch(p -> p.contains("InMemoryTableScan")), persisted.get());
  }

  @Test
  void aSmallInputParsedInGroupsAndKeptAsRowsWritesWhatTheCachedIngestWrites() throws Exception {
    Path in = input();
    Path cached = tmp.resolve("cached");
    Ingest.Result[] a = new Ingest.Result[1];
    Kept large = kept(() -> a[0] = ingest(in, cached));
    Path kept = tmp.resolve("kept");
    Ingest.Result[] b = new Ingest.Result[1];
    // the settings cli/SmallInput makes for a small local input: files parsed a few to a task, rows kept uncached
    spark().conf().set(SmallInputFlag.CONF_KEY, "true");
    spark().conf().set(ParseGroups.CONF_KEY, Long.toString(64L << 20));
    Kept small;
    try {
      small = kept(() -> b[0] = ingest(in, kept));
    } finally {
      spark().conf().unset(SmallInputFlag.CONF_KEY);
      spark().conf().unset(ParseGroups.CONF_KEY);
    }
    // each took its own path: the large input Spark's cache, the small one persisted rows and no cache
    Assertions.assertTrue(large.cacheScanned(), "the large input's queries read Spark's cache");
    Assertions.assertFalse(small.cacheScanned(), "the small input's queries read no cache");
    Assertions.assertTrue(small.rddPersisted(), "the small input's rows are kept, as a persisted RDD");
    assertEquals(a[0].files(), b[0].files());
    assertEquals(a[0].tableRows(), b[0].tableRows());
    for (Table t : Table.values()) {
      if (!java.nio.file.Files.exists(cached.resolve(t.tableName()))) {
        continue;
      }
      Dataset<Row> x = spark().read().schema(t.schema()).parquet(cached.resolve(t.tableName()).toString());
      Dataset<Row> y = spark().read().schema(t.schema()).parquet(kept.resolve(t.tableName()).toString());
      List<String> xs = new java.util.ArrayList<>(x.collectAsList().stream().map(Row::toString).toList());
      List<String> ys = new java.util.ArrayList<>(y.collectAsList().stream().map(Row::toString).toList());
      xs.sort(null);
      ys.sort(null);
      assertEquals(xs, ys, t.tableName());
      Assertions.assertFalse(t != Table.FLOP_COUNTS && xs.isEmpty(), t.tableName() + " has rows to compare");
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
  void aTruncatedGzipAmongOtherFilesIsQuarantinedAndListedWithItsDamageAndTheRunGoesOn() throws IOException {
    Path in = input();
    byte[] good;
    try (var bytes = new java.io.ByteArrayOutputStream(); OutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(Files.readAllBytes(RealSamples.file("dcgm/cncf-k8s-ai-conformance_kops.prom")));
      gz.close();
      good = bytes.toByteArray();
    }
    // cut the stream short, as a rotation mid-write does: the header says gzip, the body ends mid-block
    Files.write(in.resolve("telemetry/dcgm/broken.prom.gz"), java.util.Arrays.copyOf(good, good.length / 2));
    Path out = tmp.resolve("out");

    Ingest.Result r = ingest(in, out);

    Ingest.FileCounts broken = counts(r, "telemetry/dcgm/broken.prom.gz");
    Assertions.assertTrue(broken.damage().startsWith("gzip stream damaged at stored byte "), broken.damage());
    assertEquals(broken.lines(), broken.accepted() + broken.quarantined() + broken.ignored());
    List<Row> q = spark().read().parquet(out.resolve("quarantine").toString())
        .filter("source_file = 'telemetry/dcgm/broken.prom.gz'").collectAsList();
    assertEquals(broken.quarantined(), q.size());
    Assertions.assertTrue(q.stream().anyMatch(row -> row.<String>getAs("reason").startsWith(broken.damage())), q.toString());
    var manifest = org.computeledger.report.Manifest.newManifest("ingest", java.util.Map.of());
    org.computeledger.report.Manifest.addInputs(manifest, r);
    var entry = java.util.stream.StreamSupport.stream(manifest.get("inputs").spliterator(), false)
        .filter(n -> n.get("path").asText().equals("telemetry/dcgm/broken.prom.gz")).findFirst().orElseThrow();
    assertEquals(broken.damage(), entry.get("damage").asText());
    for (var n : manifest.get("inputs")) {
      assertEquals(n.get("path").asText().equals("telemetry/dcgm/broken.prom.gz"), n.has("damage"), n.toString());
    }
  }

  @Test
  void aGzipHeaderOverGarbageIsListedAsUnreadableAndQuarantinedNotFatal() throws IOException {
    Path in = input();
    byte[] garbage = new byte[2048];
    new java.util.Random(7).nextBytes(garbage);
    garbage[0] = 0x1f;
    garbage[1] = (byte) 0x8b;
    Files.write(in.resolve("telemetry/dcgm/garbage.prom.gz"), garbage);
    Path out = tmp.resolve("out");

    Ingest.Result r = ingest(in, out);

    Ingest.FileCounts g = counts(r, "telemetry/dcgm/garbage.prom.gz");
    assertEquals("unreadable", g.format());
    assertEquals(0, g.accepted());
    assertEquals(1, g.quarantined());
    Assertions.assertTrue(g.damage().startsWith("gzip stream damaged at stored byte "), g.damage());
  }

  @Test
  void zeroByteFilesAreListedAsNotParsedNeitherFatalNorOfUnknownFormat() throws IOException {
    Path in = input();
    Files.write(in.resolve("telemetry/dcgm/empty.prom"), new byte[0]);
    Files.write(in.resolve("scheduler/empty.txt.gz"), new byte[0]);
    Path out = tmp.resolve("out");

    Ingest.Result r = ingest(in, out);

    for (String empty : List.of("telemetry/dcgm/empty.prom", "scheduler/empty.txt.gz")) {
      Ingest.Source s = r.sources().stream().filter(x -> x.display().equals(empty)).findFirst().orElseThrow();
      assertEquals("empty file", s.skippedAs(), empty);
    }
    var manifest = org.computeledger.report.Manifest.newManifest("ingest", java.util.Map.of());
    org.computeledger.report.Manifest.addInputs(manifest, r);
    Assertions.assertTrue(manifest.get("inputs_not_parsed").toString().contains("\"path\":\"telemetry/dcgm/empty.prom\""),
        manifest.get("inputs_not_parsed").toString());
  }

  @Test
  void anAncientTelemetryTimestampIsQuarantinedAtIngestNotLeftToFailTheParquetWriter() throws IOException {
    // before the plausible window, this row reached Parquet and Spark refused to write it
    // (INCONSISTENT_BEHAVIOR_CROSS_VERSION.WRITE_ANCIENT_DATETIME)
    Path in = tmp.resolve("small");
    Path smi = in.resolve("telemetry/nvidia-smi/l40s01");
    Files.createDirectories(smi);
    List<String> log = Files.readAllLines(CollectingSink.bundledSample("telemetry/nvidia-smi/l40s01/2026-03.csv"));
    String ancient = "1850/03/02 08:00:00.412" + log.get(1).substring(23);
    Files.write(smi.resolve("2026-03.csv"), List.of(log.get(0), log.get(1), ancient, log.get(2)));
    Path out = tmp.resolve("out");

    Ingest.Result r = ingest(in, out);

    Ingest.FileCounts f = counts(r, "telemetry/nvidia-smi/l40s01/2026-03.csv");
    assertEquals(2, f.accepted());
    assertEquals(1, f.quarantined());
    Row q = spark().read().parquet(out.resolve("quarantine").toString()).first();
    assertEquals(3L, q.<Long>getAs("source_line"));
    assertEquals("field timestamp: time '1850/03/02 08:00:00.412' is before 2000-01-01T00:00:00Z, the earliest"
        + " plausible", q.getAs("reason"));
  }

  private static Ingest.FileCounts counts(Ingest.Result r, String file) {
    return r.files().stream().filter(f -> f.file().equals(file)).findFirst()
        .orElseThrow(() -> new AssertionError("no counts for " + file + " in " + r.files()));
  }
}

package org.computeledger.ingest;

import org.computeledger.RealSamples;
import static org.junit.jupiter.api.Assertions.assertEquals;



import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlapping exports of real-format logs count once: ingest keeps one row per fact and the manifest
 * counts, per file, the accepted records it dropped as duplicates or as superseded versions.
 */
class DuplicateInputsTest extends SparkTestBase {
  /** The sample logs' sacct header and two versions of job 48135: still running, then ended. */
  static final String SACCT_HEADER = "JobID|JobIDRaw|Cluster|Partition|Account|User|WCKey|Comment|JobName|State|Submit"
      + "|Start|End|Elapsed|NNodes|NodeList|AllocTRES";
  static final String RUNNING = "48135|48135|lumen|h100|atlas|jdevries|pretrain|resume from step 41000|atlas-7b-pt"
      + "|RUNNING|2026-03-03T08:05:30|2026-03-03T08:10:02|Unknown|15:49:58|3|gpu[001-003]"
      + "|billing=288,cpu=288,gres/gpu:h100=24,gres/gpu=24,mem=3000G,node=3";
  static final String COMPLETED = "48135|48135|lumen|h100|atlas|jdevries|pretrain|resume from step 41000|atlas-7b-pt"
      + "|COMPLETED|2026-03-03T08:05:30|2026-03-03T08:10:02|2026-03-04T02:00:00|17:49:58|3|gpu[001-003]"
      + "|billing=288,cpu=288,gres/gpu:h100=24,gres/gpu=24,mem=3000G,node=3";
  static final String OTHER = "48136|48136|lumen|l40s|atlas|tnguyen|eval||atlas-eval-suite|COMPLETED"
      + "|2026-03-03T08:55:00|2026-03-03T09:00:00|2026-03-03T10:45:10|01:45:10|1|l40s01"
      + "|billing=32,cpu=32,gres/gpu:l40s=4,gres/gpu=4,mem=360G,node=1";

  @TempDir Path tmp;

  private Ingest.Result ingest(Path in, Path out) {
    List<Ingest.Source> sources = Ingest.discover(spark().sparkContext().hadoopConfiguration(), in.toString(),
        IngestParams.defaults());
    Ingest.Result r = Ingest.run(spark(), sources, IngestParams.defaults(), out.toString());
    // the rows each write counted as it wrote them are the rows a reader finds, duplicates dropped
    for (Table t : r.tableRows().keySet()) {
      assertEquals(table(out, t).count(), r.tableRows().get(t), t.tableName());
    }
    return r;
  }

  private Dataset<Row> table(Path out, Table t) {
    return spark().read().schema(t.schema()).parquet(out.resolve(t.tableName()).toString());
  }

  private static Map<String, Ingest.FileCounts> byFile(Ingest.Result r) {
    return r.files().stream().collect(Collectors.toMap(Ingest.FileCounts::file, f -> f));
  }

  private static void assertReadIsAcceptedPlusQuarantined(Ingest.Result r) {
    for (Ingest.FileCounts f : r.files()) {
      assertEquals(f.read(), f.accepted() + f.quarantined(), f.file());
      Assertions.assertTrue(f.duplicatesDropped() + f.recordsSuperseded() <= f.accepted(), f.file());
    }
  }

  private static String crlf(String text) {
    return text.replace("\r\n", "\n").replace("\n", "\r\n");
  }

  @Test
  void theSameSacctRecordsInASecondCrlfExportCountOnce() throws IOException {
    Path real = RealSamples.file("slurm/habrok-sacct-with-header.txt");
    List<String> lines = Files.readAllLines(real, StandardCharsets.UTF_8);
    Path once = tmp.resolve("once/scheduler");
    Files.createDirectories(once);
    Files.copy(real, once.resolve("sacct-a.txt"));
    Path twice = tmp.resolve("twice/scheduler");
    Files.createDirectories(twice);
    Files.copy(real, twice.resolve("sacct-a.txt"));
    // the next day's export repeats the last 40 records, with Windows line endings
    List<String> overlap = lines.subList(lines.size() - 40, lines.size());
    Files.writeString(twice.resolve("sacct-b.txt"), crlf(lines.get(0) + "\n" + String.join("\n", overlap) + "\n"));

    ingest(once.getParent(), tmp.resolve("out-once"));
    Ingest.Result r = ingest(twice.getParent(), tmp.resolve("out-twice"));

    Dataset<Row> a = table(tmp.resolve("out-once"), Table.ALLOCATIONS).drop("source_file", "source_line", "labels");
    Dataset<Row> b = table(tmp.resolve("out-twice"), Table.ALLOCATIONS).drop("source_file", "source_line", "labels");
    assertEquals(a.count(), b.count());
    assertEquals(0, a.except(b).count() + b.except(a).count());
    Map<String, Ingest.FileCounts> f = byFile(r);
    assertEquals(40, f.get("scheduler/sacct-b.txt").accepted());
    assertEquals(40, f.get("scheduler/sacct-b.txt").duplicatesDropped());
    assertEquals(0, f.get("scheduler/sacct-b.txt").recordsSuperseded());
    assertEquals(0, f.get("scheduler/sacct-a.txt").duplicatesDropped());
    // the kept copy is the first by file and line
    assertEquals(0, table(tmp.resolve("out-twice"), Table.ALLOCATIONS)
        .filter("source_file = 'scheduler/sacct-b.txt'").count());
    assertReadIsAcceptedPlusQuarantined(r);
  }

  @Test
  void aJobReExportedAfterItEndedKeepsItsEndedRecordAndCountsTheRunningOneAsSuperseded() throws IOException {
    Path in = tmp.resolve("in/scheduler");
    Files.createDirectories(in);
    // the later export (by name) is the one with the job still running: "latest" is the record, not the file
    Files.writeString(in.resolve("sacct-03-04.txt"), SACCT_HEADER + "\n" + COMPLETED + "\n" + OTHER + "\n");
    Files.writeString(in.resolve("sacct-03-05.txt"), crlf(SACCT_HEADER + "\n" + RUNNING + "\n" + OTHER + "\n"));
    Path out = tmp.resolve("out");
    Ingest.Result r = ingest(in.getParent(), out);

    List<Row> job = table(out, Table.ALLOCATIONS).filter("job_id = '48135' and step_id is null").collectAsList();
    assertEquals(3, job.size(), "one row per node, once");
    for (Row row : job) {
      assertEquals("COMPLETED", row.getAs("state"));
      assertEquals("scheduler/sacct-03-04.txt", row.getAs("source_file"));
    }
    assertEquals(1, table(out, Table.ALLOCATIONS).filter("job_id = '48136'").count());
    Map<String, Ingest.FileCounts> f = byFile(r);
    assertEquals(1, f.get("scheduler/sacct-03-05.txt").recordsSuperseded());
    assertEquals(1, f.get("scheduler/sacct-03-05.txt").duplicatesDropped());
    assertEquals(0, f.get("scheduler/sacct-03-04.txt").recordsSuperseded() + f.get("scheduler/sacct-03-04.txt").duplicatesDropped());
    assertReadIsAcceptedPlusQuarantined(r);
  }

  @Test
  void podsListedInTwoExportsCountOnceAndAPodThatEndedSinceKeepsItsEndedRecord() throws IOException {
    Path fixture = Path.of("src/test/resources/fixtures/k8s/pods.json");
    String first = Files.readString(fixture, StandardCharsets.UTF_8);
    // the next hour's export (CRLF): the same three pods, the running evaluation pod now ended
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode list = json.readTree(first);
    com.fasterxml.jackson.databind.node.ObjectNode status = (com.fasterxml.jackson.databind.node.ObjectNode)
        list.path("items").get(1).path("status");
    assertEquals("Running", status.path("phase").asText(), "fixture changed");
    status.put("phase", "Succeeded");
    com.fasterxml.jackson.databind.node.ObjectNode state = (com.fasterxml.jackson.databind.node.ObjectNode)
        status.path("containerStatuses").get(0).path("state");
    state.remove("running");
    state.putObject("terminated").put("exitCode", 0).put("finishedAt", "2026-03-03T09:45:00Z")
        .put("reason", "Completed").put("startedAt", "2026-03-03T08:15:31Z");
    String second = crlf(json.writerWithDefaultPrettyPrinter().writeValueAsString(list) + "\n");
    Path in = tmp.resolve("in/scheduler");
    Files.createDirectories(in);
    Files.writeString(in.resolve("pods-10h.json"), second);
    Files.writeString(in.resolve("pods-09h.json"), first);
    Path out = tmp.resolve("out");
    Ingest.Result r = ingest(in.getParent(), out);

    Dataset<Row> pods = table(out, Table.ALLOCATIONS);
    assertEquals(3, pods.count(), "each pod once");
    Row eval = pods.filter("job_name like 'eval-harness%' or job_id like '%eval-harness%'").collectAsList().get(0);
    assertEquals("Succeeded", eval.getAs("state"));
    assertEquals("scheduler/pods-10h.json", eval.getAs("source_file"));
    Map<String, Ingest.FileCounts> f = byFile(r);
    assertEquals(2, f.get("scheduler/pods-10h.json").duplicatesDropped()
        + f.get("scheduler/pods-09h.json").duplicatesDropped(), "the two unchanged pods, once each");
    assertEquals(1, f.get("scheduler/pods-09h.json").recordsSuperseded(), "the running record of the ended pod");
    assertReadIsAcceptedPlusQuarantined(r);
  }

  @Test
  void theSameScrapeAsPlainAndGzipFilesCountsOnceWithTheDroppedLinesInTheManifest() throws IOException {
    String t4 = "# scrape_time: 2026-03-02T10:00:00Z\n"
        + Files.readString(RealSamples.file("dcgm/cncf-k8s-ai-conformance_ericsson-ccd.prom"));
    Path dcgm = tmp.resolve("in/telemetry/dcgm");
    Files.createDirectories(dcgm);
    Files.writeString(dcgm.resolve("t4.prom"), t4);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dcgm.resolve("t4.prom.gz")))) {
      out.write(t4.getBytes(StandardCharsets.UTF_8));
    }
    Path out = tmp.resolve("out");
    Ingest.Result r = ingest(tmp.resolve("in"), out);

    List<Row> samples = table(out, Table.GPU_SAMPLES).collectAsList();
    assertEquals(1, samples.size(), samples.toString());
    assertEquals("telemetry/dcgm/t4.prom", samples.get(0).getAs("source_file"));
    assertEquals(0.91, samples.get(0).<Double>getAs("gpu_util"), 1e-12);
    Map<String, Ingest.FileCounts> f = byFile(r);
    Ingest.FileCounts gz = f.get("telemetry/dcgm/t4.prom.gz");
    Assertions.assertTrue(gz.accepted() > 1);
    assertEquals(gz.accepted(), gz.duplicatesDropped(), "every metric line of the copy");
    assertEquals(0, f.get("telemetry/dcgm/t4.prom").duplicatesDropped());
    assertReadIsAcceptedPlusQuarantined(r);
  }

  @Test
  void overlappingScrapesMergeTheirMetricsIntoTheKeptSample() throws IOException {
    String t4 = "# scrape_time: 2026-03-02T10:00:00Z\n"
        + Files.readString(RealSamples.file("dcgm/cncf-k8s-ai-conformance_ericsson-ccd.prom"));
    String[] lines = t4.split("\n");
    StringBuilder noPower = new StringBuilder();
    StringBuilder power = new StringBuilder(lines[0]).append('\n');
    for (String l : lines) {
      if (l.startsWith("DCGM_FI_DEV_POWER_USAGE")) {
        power.append(l).append('\n');
      } else {
        noPower.append(l).append('\n');
      }
    }
    Path dcgm = tmp.resolve("in/telemetry/dcgm");
    Files.createDirectories(dcgm);
    Files.writeString(dcgm.resolve("a.prom"), noPower.toString());
    Files.writeString(dcgm.resolve("b.prom"), power.toString());
    Path out = tmp.resolve("out");
    ingest(tmp.resolve("in"), out);

    List<Row> samples = table(out, Table.GPU_SAMPLES).collectAsList();
    assertEquals(1, samples.size(), samples.toString());
    assertEquals(0.91, samples.get(0).<Double>getAs("gpu_util"), 1e-12);
    assertEquals(68.244, samples.get(0).<Double>getAs("power_w"), 1e-12);
    assertEquals("telemetry/dcgm/a.prom", samples.get(0).getAs("source_file"));
  }

  @Test
  void theSameNvidiaSmiLogCopiedBesideItselfCountsOnce() throws IOException {
    Path real = RealSamples.file("nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load.query-gpu.csv");
    Path smi = tmp.resolve("in/telemetry/nvidia-smi/node017");
    Files.createDirectories(smi);
    Files.copy(real, smi.resolve("2026-07.csv"));
    Files.copy(real, smi.resolve("2026-07.backup.csv"));
    Path out = tmp.resolve("out");
    Ingest.Result r = ingest(tmp.resolve("in"), out);
    Ingest.FileCounts kept = byFile(r).get("telemetry/nvidia-smi/node017/2026-07.backup.csv");
    Ingest.FileCounts copy = byFile(r).get("telemetry/nvidia-smi/node017/2026-07.csv");
    assertEquals(kept.rows(), table(out, Table.GPU_SAMPLES).count());
    assertEquals(0, kept.duplicatesDropped());
    assertEquals(copy.accepted(), copy.duplicatesDropped());
    assertReadIsAcceptedPlusQuarantined(r);
  }

  @Test
  void theSameCounterRowsAndBillLinesInTwoFilesCountOnce() throws IOException {
    Path in = tmp.resolve("in");
    Path flop = in.resolve("telemetry/flop-counter");
    Files.createDirectories(flop);
    String counters = "interval_start,interval_end,host,gpu_uuid,gpu_index,flop,precision,source\n"
        + "2026-03-02T10:00:00Z,2026-03-02T10:01:00Z,node017,GPU-8f1c0000-0000-0000-0000-000000000001,3,4.1e16,bf16,cupti\n"
        + "2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,node017,GPU-8f1c0000-0000-0000-0000-000000000001,3,4.2e16,bf16,cupti\n";
    Files.writeString(flop.resolve("a.csv"), counters);
    Files.writeString(flop.resolve("b.csv"), counters);
    Path billing = in.resolve("billing");
    Files.createDirectories(billing);
    Path focus = RealSamples.file("billing/focus-1.0-sample.csv");
    Files.copy(focus, billing.resolve("focus-a.csv"));
    Files.copy(focus, billing.resolve("focus-b.csv"));
    Path out = tmp.resolve("out");
    Ingest.Result r = ingest(in, out);

    assertEquals(2, table(out, Table.FLOP_COUNTS).count());
    Map<String, Ingest.FileCounts> f = byFile(r);
    assertEquals(2, f.get("telemetry/flop-counter/b.csv").duplicatesDropped());
    Ingest.FileCounts a = f.get("billing/focus-a.csv");
    assertEquals(a.rows(), table(out, Table.CHARGES).count());
    assertEquals(0, a.duplicatesDropped());
    assertEquals(f.get("billing/focus-b.csv").accepted(), f.get("billing/focus-b.csv").duplicatesDropped());
    Assertions.assertNull(table(out, Table.CHARGES).filter("source_file = 'billing/focus-b.csv'").limit(1).collectAsList()
        .stream().findFirst().orElse(null));
    assertReadIsAcceptedPlusQuarantined(r);
  }
}

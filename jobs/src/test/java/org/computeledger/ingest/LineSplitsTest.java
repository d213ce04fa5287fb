package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.computeledger.RealSamples;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large plain telemetry file read as byte ranges ({@link LineSplits}) gives exactly what reading it
 * whole gives: the same sample rows with the same source lines, the same quarantine and the same counts.
 * Only when a file may be read by ranges does the ingest read the summaries before it writes the rows.
 */
class LineSplitsTest extends SparkTestBase {
  @TempDir Path tmp;

  /**
   * A day's raw scrapes of the real kops node appended to one file, each dated by a {@code # scrape_time:}
   * comment (its samples carry no timestamp), with one damaged sample line in the middle.
   */
  private static String scrapes(int n) throws IOException {
    String scrape = Files.readString(RealSamples.file("dcgm/cncf-k8s-ai-conformance_kops.prom"));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("# scrape_time: 2026-03-02T10:").append(String.format("%02d", i)).append(":00Z\n").append(scrape);
      if (i == n / 2) {
        sb.append("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",Hostname=\"i-030791dc5a37cd257\"} not-a-number\n");
      }
    }
    return sb.toString();
  }

  private Ingest.Result ingest(Path in, Path out, long splitBytes) {
    spark().conf().set(LineSplits.CONF_KEY, Long.toString(splitBytes));
    try {
      List<Ingest.Source> sources = Ingest.discover(spark().sparkContext().hadoopConfiguration(), in.toString(),
          IngestParams.defaults());
      return Ingest.run(spark(), sources, IngestParams.defaults(), out.toString());
    } finally {
      spark().conf().unset(LineSplits.CONF_KEY);
    }
  }

  private List<String> sorted(Path out, Table t) {
    List<String> rows = new ArrayList<>();
    for (Row r : spark().read().schema(t.schema()).parquet(out.resolve(t.tableName()).toString()).collectAsList()) {
      rows.add(r.toString());
    }
    rows.sort(null);
    return rows;
  }

  private void assertSplitReadsAsWhole(String content, long splitBytes) throws IOException {
    Path dcgm = tmp.resolve("in/telemetry/dcgm");
    Files.createDirectories(dcgm);
    Files.writeString(dcgm.resolve("node.prom"), content);
    org.junit.jupiter.api.Assertions.assertTrue(content.length() > 4 * splitBytes, "the file makes several ranges");
    Ingest.Source source = Ingest.discover(spark().sparkContext().hadoopConfiguration(), tmp.resolve("in").toString(),
        IngestParams.defaults()).get(0);
    List<LineSplits.Task> tasks = LineSplits.plan(FileSystem.getLocal(new Configuration()), source, splitBytes);
    assertEquals((content.length() + splitBytes - 1) / splitBytes + 1, tasks.size(), "its ranges and the hash task");
    Ingest.Result whole = ingest(tmp.resolve("in"), tmp.resolve("whole"), 0);
    Ingest.Result split = ingest(tmp.resolve("in"), tmp.resolve("split"), splitBytes);

    List<String> samples = sorted(tmp.resolve("whole"), Table.GPU_SAMPLES);
    org.junit.jupiter.api.Assertions.assertTrue(samples.size() > 20, "samples " + samples.size());
    assertEquals(samples, sorted(tmp.resolve("split"), Table.GPU_SAMPLES));
    List<String> quarantine = sorted(tmp.resolve("whole"), Table.QUARANTINE);
    assertEquals(1, quarantine.size(), quarantine.toString());
    assertEquals(quarantine, sorted(tmp.resolve("split"), Table.QUARANTINE));
    assertEquals(whole.files(), split.files());
    Ingest.FileCounts f = split.files().get(0);
    assertEquals(content.lines().count(), f.lines());
    assertEquals(f.read(), f.accepted() + f.quarantined());
    assertEquals(Files.size(dcgm.resolve("node.prom")), f.bytes());
  }

  /** A SQL query as Spark's listener bus reported its start: where it was started (its call site) and its plan. */
  private record Query(long id, String callSite, String plan) {}

  /** An ingest's SQL queries, with the order in which they started and ended ("start 3", "end 3") as Spark posted it. */
  private record Queries(List<Query> started, List<String> order) {
    /** The one query that read the parse's summaries (the collect of the telemetry's ingest). */
    Query summaries() {
      List<Query> q = started.stream().filter(x -> x.callSite().contains("Dataset.collectAsList")
          && x.callSite().contains("ingestSamples")).toList();
      assertEquals(1, q.size(), started.toString());
      return q.get(0);
    }

    /** The one query that wrote the sample rows. */
    Query rowsWrite() {
      List<Query> q = started.stream().filter(x -> x.plan().contains("InsertIntoHadoopFsRelationCommand")
          && x.plan().contains("/" + Table.GPU_SAMPLES.tableName() + ",")).toList();
      assertEquals(1, q.size(), started.toString());
      return q.get(0);
    }

    /** Whether {@code a} had ended when {@code b} started. */
    boolean endedBeforeStarted(Query a, Query b) {
      return order.indexOf("end " + a.id()) >= 0 && order.indexOf("end " + a.id()) < order.indexOf("start " + b.id());
    }
  }

  /** {@link #ingest} with every SQL query it ran recorded as Spark's listener bus reported it. */
  private Queries queriesOf(Path in, Path out, long splitBytes) throws java.util.concurrent.TimeoutException {
    List<Query> started = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    org.apache.spark.scheduler.SparkListener sql = new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onOtherEvent(org.apache.spark.scheduler.SparkListenerEvent e) {
        if (e instanceof org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart s) {
          started.add(new Query(s.executionId(), s.details(), s.physicalPlanDescription()));
          order.add("start " + s.executionId());
        } else if (e instanceof org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd end) {
          order.add("end " + end.executionId());
        }
      }
    };
    spark().sparkContext().addSparkListener(sql);
    try {
      ingest(in, out, splitBytes);
      spark().sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark().sparkContext().removeSparkListener(sql);
    }
    return new Queries(new ArrayList<>(started), new ArrayList<>(order));
  }

  @Test
  void theSummariesComeBeforeTheRowsOnlyWhenAFileMayBeReadByRanges() throws Exception {
    Path dcgm = tmp.resolve("in/telemetry/dcgm");
    Files.createDirectories(dcgm);
    Files.writeString(dcgm.resolve("node.prom"), scrapes(24));
    // Spark records where each query was started: the stack of the thread that started it. Run in the
    // table's own ingest thread, a query's call site holds that ingest's frame (Ingest.ingestSamples);
    // run at once beside another, on a thread of its own, it starts at the piece (a lambda of that method).
    String callerFrame = "Ingest.ingestSamples(";

    // a file of several ranges: its later ranges' lines are numbered from the summaries, so they are read first
    Queries ranged = queriesOf(tmp.resolve("in"), tmp.resolve("ranged"), 1_000);
    Query sums = ranged.summaries();
    Query rows = ranged.rowsWrite();
    org.junit.jupiter.api.Assertions.assertTrue(sums.callSite().contains(callerFrame), sums.callSite());
    org.junit.jupiter.api.Assertions.assertTrue(ranged.endedBeforeStarted(sums, rows), ranged.order().toString());

    // the same file read whole (the usual range size, far above its size): the summaries are read on a
    // thread of their own while the write is planned and run on another
    Queries whole = queriesOf(tmp.resolve("in"), tmp.resolve("whole"), LineSplits.DEFAULT_BYTES);
    org.junit.jupiter.api.Assertions.assertFalse(whole.summaries().callSite().contains(callerFrame),
        whole.summaries().callSite());
    org.junit.jupiter.api.Assertions.assertFalse(whole.rowsWrite().callSite().contains(callerFrame),
        whole.rowsWrite().callSite());
  }

  @Test
  void rangesOfALargeScrapeFileGiveTheRowsLinesQuarantineAndCountsOfTheWholeFile() throws IOException {
    // ranges of 1,000 bytes cut lines and the ten metric lines of samples; later ranges start after their
    // scrape_time comment
    assertSplitReadsAsWhole(scrapes(24), 1_000);
  }

  @Test
  void rangesOfACrlfScrapeFileCountLinesAsTheWholeFileDoes() throws IOException {
    // 997 bytes: some ranges start between the CR and the LF of a line break
    assertSplitReadsAsWhole(scrapes(24).replace("\n", "\r\n"), 997);
  }

  @Test
  void aRangeStartsAtTheFirstLineThatStartsInItWhateverTheLineBreaks() throws IOException {
    byte[] content = "a\nbb\r\ncc\rd\r\n\n\reee".getBytes(StandardCharsets.US_ASCII);
    // line starts as BufferedReader.readLine counts lines: after LF, after CR not followed by LF, after CRLF
    List<Long> starts = new ArrayList<>(List.of(0L));
    for (int i = 0; i < content.length; i++) {
      boolean lf = content[i] == '\n';
      boolean loneCr = content[i] == '\r' && (i + 1 == content.length || content[i + 1] != '\n');
      if ((lf || loneCr) && i + 1 < content.length) {
        starts.add((long) i + 1);
      }
    }
    assertEquals(List.of(0L, 2L, 6L, 9L, 12L, 13L, 14L), starts);
    Path p = tmp.resolve("lines.txt");
    Files.write(p, content);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (long s = 0; s <= content.length; s++) {
      long from = s;
      long expected = starts.stream().filter(x -> x >= from).findFirst().orElse((long) content.length);
      try (FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(p.toString()))) {
        long got = LineSplits.seekLineStart(in, s);
        assertEquals(expected, got, "start " + s);
        assertEquals(expected, in.getPos(), "stream position for start " + s);
      }
    }
  }
}

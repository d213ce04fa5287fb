package org.computeledger.ingest;

import org.computeledger.RealSamples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.computeledger.schema.GpuSamples;
import org.junit.jupiter.api.Test;

/** Specification of the DCGM Prometheus parser, on the real exporter scrapes and lines altered from them. */
class PrometheusParserTest {
  private static final PrometheusParser PARSER = new PrometheusParser();
  private static final IngestParams PARAMS = IngestParams.defaults();
  private static final String SCRAPE = "# scrape_time: 2026-03-02T10:00:00Z\n";
  private static final Timestamp SCRAPE_TS = Timestamp.from(Instant.parse("2026-03-02T10:00:00Z"));

  /** The T4 GPU_UTIL line of the Ericsson scrape, as the exporter wrote it. */
  private static final String T4_UTIL_LINE =
      "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a\","
          + "pci_bus_id=\"00000000:37:00.0\",device=\"nvidia0\",modelName=\"Tesla T4\","
          + "Hostname=\"cp-bm14r7\",DCGM_FI_DRIVER_VERSION=\"590.48.01\"} 91";

  private static String real(String name) {
    try {
      return Files.readString(RealSamples.file("dcgm/" + name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static CollectingSink parse(String text) {
    return CollectingSink.parseText(PARSER, "telemetry/scrape.prom", "telemetry", text, PARAMS);
  }

  /** The one row that carries {@code column}: each line fills only its own metric's column. */
  private static int rowWith(CollectingSink sink, String column) {
    int found = -1;
    for (int i = 0; i < sink.rows.size(); i++) {
      if (sink.get(i, column) != null) {
        assertEquals(-1, found, "two rows carry " + column);
        found = i;
      }
    }
    assertTrue(found >= 0, "no row carries " + column);
    return found;
  }

  private static double measure(CollectingSink sink, String column) {
    return (Double) sink.get(rowWith(sink, column), column);
  }

  private static long lineCount(String text) {
    return text.lines().count();
  }

  private static void assertEveryLineAccountedFor(CollectingSink sink, String text) {
    assertEquals(lineCount(text), sink.accepted + sink.rejected.size() + sink.ignored);
  }

  @Test
  void t4UnderLoadGivesItsMeasurementsOnePerRow() {
    String text = SCRAPE + real("cncf-k8s-ai-conformance_ericsson-ccd.prom");
    CollectingSink sink = parse(text);

    assertEquals(0.91, measure(sink, GpuSamples.GPU_UTIL), 1e-12);
    assertEquals(660.0, measure(sink, GpuSamples.SM_CLOCK_MHZ));
    assertEquals(68.244, measure(sink, GpuSamples.POWER_W), 1e-12);
    assertEquals(15152422938.0, measure(sink, GpuSamples.ENERGY_MJ));
    assertEquals(0.005822, measure(sink, GpuSamples.PIPE_TENSOR_ACTIVE), 1e-12);
    assertEquals(0.092781, measure(sink, GpuSamples.DRAM_ACTIVE), 1e-12);
    assertEquals(6, sink.rows.size());
    assertEquals(6, sink.accepted);
    assertTrue(sink.rejected.isEmpty());
    assertEveryLineAccountedFor(sink, text);
  }

  @Test
  void t4RowsNameHostModelGpuAndScrapeTime() {
    CollectingSink sink = parse(SCRAPE + real("cncf-k8s-ai-conformance_ericsson-ccd.prom"));

    for (int i = 0; i < sink.rows.size(); i++) {
      assertEquals("cp-bm14r7", sink.get(i, GpuSamples.HOST));
      assertEquals("Tesla T4", sink.get(i, GpuSamples.GPU_MODEL));
      assertEquals("GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a", sink.get(i, GpuSamples.GPU_UUID));
      assertEquals(0, sink.get(i, GpuSamples.GPU_INDEX));
      assertEquals(SCRAPE_TS, sink.get(i, GpuSamples.TS));
      assertNull(sink.get(i, GpuSamples.MIG_PROFILE));
      assertNull(sink.get(i, GpuSamples.POD));
    }
  }

  @Test
  void idleL4ScrapeWithHelpAndTypeLinesIsRead() {
    String text = SCRAPE + real("cncf-k8s-ai-conformance_kops.prom");
    CollectingSink sink = parse(text);

    assertEquals(6, sink.rows.size());
    assertEquals(0.0, measure(sink, GpuSamples.GPU_UTIL));
    assertEquals(210.0, measure(sink, GpuSamples.SM_CLOCK_MHZ));
    assertEquals(16.365, measure(sink, GpuSamples.POWER_W), 1e-12);
    assertEquals(4742776.0, measure(sink, GpuSamples.ENERGY_MJ));
    assertEquals("i-030791dc5a37cd257", sink.get(0, GpuSamples.HOST));
    assertEquals("NVIDIA L4", sink.get(0, GpuSamples.GPU_MODEL));
    assertTrue(sink.rejected.isEmpty());
    assertEveryLineAccountedFor(sink, text);
  }

  @Test
  void bareScrapeWithoutScrapeTimeCommentIsQuarantined() {
    CollectingSink sink = parse(real("cncf-k8s-ai-conformance_kops.prom"));

    assertTrue(sink.rows.isEmpty());
    assertEquals(6, sink.rejected.size());
    for (CollectingSink.Rejected r : sink.rejected) {
      assertEquals("no timestamp and the file states no '# scrape_time:' comment"
          + " (a raw scrape is dated by --scrape-time or --scrape-time-from-mtime)", r.reason());
    }
  }

  @Test
  void scrapeTimeMayBeWrittenWithEqualsSignAndAnOffset() {
    CollectingSink sink = parse("# scrape_time=2026-03-02T11:00:00+01:00\n" + T4_UTIL_LINE + "\n");

    assertEquals(SCRAPE_TS, sink.get(0, GpuSamples.TS));
  }

  @Test
  void unreadableScrapeTimeIsQuarantinedAndDatesNothing() {
    CollectingSink sink = parse(SCRAPE + "# scrape_time: yesterday\n" + T4_UTIL_LINE + "\n");

    assertTrue(sink.rows.isEmpty());
    assertEquals(2, sink.rejected.size());
    assertEquals(2, sink.rejected.get(0).line());
    assertTrue(sink.rejected.get(0).reason().contains("'yesterday'"), sink.rejected.get(0).reason());
    assertEquals(3, sink.rejected.get(1).line());
  }

  @Test
  void blankSentinelOnAUsedMetricIsIgnoredNotQuarantined() {
    // The README's blank MEMORY_TEMP line, renamed to a metric the ledger uses.
    String readme = real("dcgm-exporter-readme_blank-sentinel.prom");
    String blankLine = readme.lines().filter(l -> l.startsWith("DCGM_FI_DEV_MEMORY_TEMP")).findFirst()
        .orElseThrow()
        .replace("DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE")
        .replace("UUID=", "Hostname=\"node017\", UUID=");
    CollectingSink sink = parse(SCRAPE + blankLine + "\n");

    assertTrue(blankLine.endsWith(" 9223372036854775794"));
    assertTrue(sink.rows.isEmpty());
    assertTrue(sink.rejected.isEmpty());
    assertEquals(2, sink.ignored);
  }

  @Test
  void doubleBlankSentinelOnPowerIsIgnored() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_POWER_USAGE")
        .replace("} 91", "} 140737488355330.000000");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertTrue(sink.rows.isEmpty());
    assertTrue(sink.rejected.isEmpty());
  }

  @Test
  void int32BlankSentinelOnClockIsIgnored() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_SM_CLOCK")
        .replace("} 91", "} 2147483634");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertTrue(sink.rows.isEmpty());
    assertTrue(sink.rejected.isEmpty());
  }

  @Test
  void energyCounterPassingThroughTheInt32BlankWindowIsKept() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")
        .replace("} 91", "} 2147483634");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals(2147483634.0, (Double) sink.get(0, GpuSamples.ENERGY_MJ));
  }

  @Test
  void readmeSampleWithoutAnyHostLabelIsQuarantined() {
    CollectingSink sink = parse(SCRAPE + real("dcgm-exporter-readme_blank-sentinel.prom"));

    // SM_CLOCK names no host; MEM_CLOCK and MEMORY_TEMP are not used.
    assertTrue(sink.rows.isEmpty());
    assertEquals(1, sink.rejected.size());
    assertEquals("labels of DCGM_FI_DEV_SM_CLOCK: expected Hostname, hostname or instance to name the host",
        sink.rejected.get(0).reason());
    assertEquals(2, sink.rejected.get(0).line());
  }

  @Test
  void labelsAreReadInAnyOrderWithSpacesAfterCommas() {
    String line = "DCGM_FI_DEV_GPU_UTIL{Hostname=\"cp-bm14r7\", DCGM_FI_DRIVER_VERSION=\"590.48.01\", "
        + "modelName=\"Tesla T4\", device=\"nvidia0\", gpu=\"0\", "
        + "UUID=\"GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a\",} 91";
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals(0.91, (Double) sink.get(0, GpuSamples.GPU_UTIL), 1e-12);
    assertEquals("cp-bm14r7", sink.get(0, GpuSamples.HOST));
    assertEquals("GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a", sink.get(0, GpuSamples.GPU_UUID));
    assertEquals("Tesla T4", sink.get(0, GpuSamples.GPU_MODEL));
    assertEquals(0, sink.get(0, GpuSamples.GPU_INDEX));
  }

  @Test
  void escapedQuotesBackslashesAndNewlinesInLabelValuesAreUnescaped() {
    String line = T4_UTIL_LINE.replace("modelName=\"Tesla T4\"",
        "modelName=\"Tesla \\\"T4\\\" \\\\ rev\\nA, {x}\"");
    CollectingSink sink = parse(SCRAPE + line + "\n" + line + "\n");

    assertEquals("Tesla \"T4\" \\ rev\nA, {x}", sink.get(0, GpuSamples.GPU_MODEL));
    assertEquals("Tesla \"T4\" \\ rev\nA, {x}", sink.get(1, GpuSamples.GPU_MODEL));
    assertEquals("cp-bm14r7", sink.get(0, GpuSamples.HOST));
  }

  @Test
  void migInstanceKeepsItsProfileAndIdApartFromTheParentGpu() {
    String parent = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_SM_ACTIVE")
        .replace("} 91", "} 0.400000");
    String mig = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_SM_ACTIVE")
        .replace("Hostname=", "GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"13\",Hostname=")
        .replace("} 91", "} 0.930433");
    CollectingSink sink = parse(SCRAPE + parent + "\n" + mig + "\n");

    assertEquals(2, sink.rows.size());
    assertNull(sink.get(0, GpuSamples.MIG_PROFILE));
    assertNull(sink.get(0, GpuSamples.MIG_INSTANCE));
    assertEquals("1g.10gb", sink.get(1, GpuSamples.MIG_PROFILE));
    assertEquals("13", sink.get(1, GpuSamples.MIG_INSTANCE));
    assertEquals(sink.get(0, GpuSamples.GPU_UUID), sink.get(1, GpuSamples.GPU_UUID));
    assertEquals(0.930433, (Double) sink.get(1, GpuSamples.SM_ACTIVE), 1e-12);
  }

  @Test
  void promtoolDumpLineWithNameLabelAndMillisecondTimestamp() {
    String line = "{__name__=\"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\", Hostname=\"cp-bm14r7\", "
        + "UUID=\"GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a\", gpu=\"0\", instance=\"10.0.0.7:9400\", "
        + "modelName=\"Tesla T4\"} 1.5152422938e+10 1772445600123";
    CollectingSink sink = parse(line + "\n");

    assertEquals(Timestamp.from(Instant.parse("2026-03-02T10:00:00.123Z")), sink.get(0, GpuSamples.TS));
    assertEquals(15152422938.0, (Double) sink.get(0, GpuSamples.ENERGY_MJ));
    assertEquals("cp-bm14r7", sink.get(0, GpuSamples.HOST));
  }

  @Test
  void openMetricsLineWithSecondsTimestampAndEofMarker() {
    String text = "# TYPE DCGM_FI_DEV_POWER_USAGE gauge\n"
        + T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_POWER_USAGE")
            .replace("} 91", "} 68.244 1772445600.25")
        + "\n# EOF\n";
    CollectingSink sink = parse(text);

    assertEquals(Timestamp.from(Instant.parse("2026-03-02T10:00:00.250Z")), sink.get(0, GpuSamples.TS));
    assertEquals(68.244, (Double) sink.get(0, GpuSamples.POWER_W), 1e-12);
    assertEquals(2, sink.ignored);
  }

  @Test
  void integerTimestampBelowTenToTheElevenIsSeconds() {
    CollectingSink sink = parse(T4_UTIL_LINE + " 1772445600\n");

    assertEquals(SCRAPE_TS, sink.get(0, GpuSamples.TS));
  }

  @Test
  void sampleTimestampWinsOverScrapeTime() {
    CollectingSink sink = parse(SCRAPE + T4_UTIL_LINE + " 1772449200000\n");

    assertEquals(Timestamp.from(Instant.parse("2026-03-02T11:00:00Z")), sink.get(0, GpuSamples.TS));
  }

  @Test
  void hostFallsBackToInstanceWithoutItsPort() {
    String line = T4_UTIL_LINE.replace("Hostname=\"cp-bm14r7\"", "instance=\"gpu-node-3:9400\"");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals("gpu-node-3", sink.get(0, GpuSamples.HOST));
  }

  @Test
  void exportedPodAndNamespaceWinOverTheExportersOwn() {
    String line = T4_UTIL_LINE.replace("Hostname=", "pod=\"dcgm-exporter-x7k2p\",namespace=\"gpu-operator\","
        + "exported_pod=\"train-0\",exported_namespace=\"ml\",hpc_job=\"4711\",Hostname=");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals("train-0", sink.get(0, GpuSamples.POD));
    assertEquals("ml", sink.get(0, GpuSamples.NAMESPACE));
    assertEquals("4711", sink.get(0, GpuSamples.HPC_JOB));
  }

  @Test
  void emptyPodLabelMeansNoPod() {
    String line = T4_UTIL_LINE.replace("Hostname=", "container=\"\",namespace=\"\",pod=\"\",Hostname=");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertNull(sink.get(0, GpuSamples.POD));
    assertNull(sink.get(0, GpuSamples.NAMESPACE));
  }

  @Test
  void legacyLowercaseMetricNamesAreRead() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "dcgm_gpu_utilization");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals(0.91, (Double) sink.get(0, GpuSamples.GPU_UTIL), 1e-12);
  }

  @Test
  void valueThatIsNoNumberIsQuarantined() {
    CollectingSink sink = parse(SCRAPE + T4_UTIL_LINE.replace("} 91", "} abc") + "\n");

    assertTrue(sink.rows.isEmpty());
    assertEquals("value of DCGM_FI_DEV_GPU_UTIL: expected a number, 'abc'", sink.rejected.get(0).reason());
    assertEquals(2, sink.rejected.get(0).line());
  }

  @Test
  void utilizationAboveHundredPercentIsQuarantined() {
    CollectingSink sink = parse(SCRAPE + T4_UTIL_LINE.replace("} 91", "} 140") + "\n");

    assertTrue(sink.rows.isEmpty());
    assertEquals("value of DCGM_FI_DEV_GPU_UTIL: expected a percent within 0..100, '140'",
        sink.rejected.get(0).reason());
  }

  @Test
  void negativeRatioIsQuarantined() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE")
        .replace("} 91", "} -0.1");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertTrue(sink.rows.isEmpty());
    assertEquals("value of DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: expected a ratio within 0..1, '-0.1'",
        sink.rejected.get(0).reason());
  }

  @Test
  void ratioAboveOneIsQuarantined() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_DRAM_ACTIVE")
        .replace("} 91", "} 1.5");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals(1, sink.rejected.size());
  }

  @Test
  void notANumberInAScrapeIsNoReadingIgnoredNotQuarantinedNorAStalenessMarker() {
    // an exposition cannot carry staleness markers: a NaN in a scrape is an ordinary NaN
    CollectingSink sink = parse(SCRAPE + T4_UTIL_LINE.replace("} 91", "} NaN") + "\n");

    assertTrue(sink.rows.isEmpty());
    assertTrue(sink.rejected.isEmpty(), sink.rejected.toString());
    assertEquals(2, sink.ignored); // the scrape_time comment and the NaN sample
    assertEquals(0, sink.staleMarkers);
  }

  @Test
  void infinitePowerIsQuarantined() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_POWER_USAGE")
        .replace("} 91", "} +Inf");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals("value of DCGM_FI_DEV_POWER_USAGE: expected a finite number >= 0, '+Inf'",
        sink.rejected.get(0).reason());
  }

  @Test
  void sampleTimestampBefore2000IsQuarantinedAsImplausible() {
    CollectingSink sink = parse(T4_UTIL_LINE + " 946684799\n");

    assertTrue(sink.rows.isEmpty());
    assertEquals("field timestamp: time '946684799 = 1999-12-31T23:59:59Z' is before 2000-01-01T00:00:00Z,"
        + " the earliest plausible", sink.rejected.get(0).reason());
  }

  @Test
  void sampleTimestampMoreThanADayAfterTheRunIsQuarantined() {
    IngestParams run = PARAMS.withRunInstant(Instant.parse("2026-03-01T09:00:00Z"));
    String text = T4_UTIL_LINE + " 1772359200000\n" + T4_UTIL_LINE + " 1772445600000\n";
    CollectingSink sink = CollectingSink.parseText(PARSER, "telemetry/dump.prom", "telemetry", text, run);

    assertEquals(1, sink.accepted, "2026-03-01T10:00Z, an hour after the run");
    assertEquals("field timestamp: time '1772445600000 = 2026-03-02T10:00:00Z' is more than 1 day after the"
        + " moment of the run", sink.rejected.get(0).reason());
  }

  @Test
  void implausibleScrapeTimeIsQuarantinedAndDatesNothing() {
    CollectingSink sink = parse("# scrape_time: 1970-01-01T00:00:00Z\n" + T4_UTIL_LINE + "\n");

    assertTrue(sink.rows.isEmpty());
    assertEquals(2, sink.rejected.size());
    assertEquals("field # scrape_time: time '1970-01-01T00:00:00Z' is before 2000-01-01T00:00:00Z, the earliest"
        + " plausible", sink.rejected.get(0).reason());
  }

  @Test
  void powerAboveFiveKilowattsIsQuarantinedAsImplausible() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_POWER_USAGE").replace("} 91", "} 68244");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals("value of DCGM_FI_DEV_POWER_USAGE: 68244.0 W is more than 5000 W, the plausible limit for one GPU",
        sink.rejected.get(0).reason());
  }

  @Test
  void negativePowerIsQuarantined() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_POWER_USAGE").replace("} 91", "} -68.2");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals("value of DCGM_FI_DEV_POWER_USAGE: expected a finite number >= 0, '-68.2'",
        sink.rejected.get(0).reason());
  }

  @Test
  void smClockAboveTenGigahertzIsQuarantinedAsImplausible() {
    String line = T4_UTIL_LINE.replace("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_SM_CLOCK").replace("} 91", "} 1590000");
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals("value of DCGM_FI_DEV_SM_CLOCK: 1590000.0 MHz is more than 10000 MHz, the plausible limit",
        sink.rejected.get(0).reason());
  }

  @Test
  void lineWithAFieldAfterTheTimestampIsQuarantined() {
    CollectingSink sink = parse(T4_UTIL_LINE + " 1772445600000 7\n");

    assertEquals("expected the line to end after the timestamp, '7'", sink.rejected.get(0).reason());
  }

  @Test
  void lineCutInsideItsLabelsIsQuarantined() {
    CollectingSink sink = parse(SCRAPE + T4_UTIL_LINE.substring(0, 60) + "\n");

    assertTrue(sink.rows.isEmpty());
    assertEquals(1, sink.rejected.size());
  }

  @Test
  void unterminatedLabelValueIsQuarantined() {
    String line = T4_UTIL_LINE.substring(0, T4_UTIL_LINE.indexOf("Hostname=") + 14);
    CollectingSink sink = parse(SCRAPE + line + "\n");

    assertEquals("labels: unterminated value of label 'Hostname'", sink.rejected.get(0).reason());
  }

  @Test
  void unreadableTimestampIsQuarantined() {
    CollectingSink sink = parse(T4_UTIL_LINE + " 2026-03-02T10:00Z\n");

    assertEquals("timestamp: expected epoch seconds or milliseconds, '2026-03-02T10:00Z'",
        sink.rejected.get(0).reason());
  }

  @Test
  void badGpuIndexIsQuarantined() {
    CollectingSink sink = parse(SCRAPE + T4_UTIL_LINE.replace("gpu=\"0\"", "gpu=\"zero\"") + "\n");

    assertEquals("label gpu: expected a GPU index, 'zero'", sink.rejected.get(0).reason());
  }

  @Test
  void malformedLinesOfUnusedMetricsAreStillIgnored() {
    CollectingSink sink = parse(SCRAPE + "DCGM_FI_DEV_FB_USED{gpu=\"0\" 5120\n");

    assertEquals(2, sink.ignored);
    assertTrue(sink.rejected.isEmpty());
  }

  @Test
  void detectsExporterScrapesWithAndWithoutHelpLines() {
    assertTrue(PARSER.detect("a.prom", head("cncf-k8s-ai-conformance_ericsson-ccd.prom"), PARAMS));
    assertTrue(PARSER.detect("a.prom", head("cncf-k8s-ai-conformance_kops.prom"), PARAMS));
    assertTrue(PARSER.detect("a.prom", head("dcgm-exporter-readme_blank-sentinel.prom"), PARAMS));
  }

  @Test
  void detectsPromtoolDumpAndLegacyNames() {
    assertTrue(PARSER.detect("dump.txt",
        List.of("{__name__=\"DCGM_FI_DEV_GPU_UTIL\", Hostname=\"n1\", gpu=\"0\"} 91 1772445600000"), PARAMS));
    assertTrue(PARSER.detect("m.txt", List.of("dcgm_gpu_utilization 42"), PARAMS));
  }

  @Test
  void doesNotDetectCsvOrSacctOrDcgmCounterLists() {
    assertFalse(PARSER.detect("x.csv", List.of("timestamp, name, uuid, utilization.gpu [%]",
        "2026/07/14 08:12:53.353, NVIDIA H100 80GB HBM3, GPU-0, 100 %"), PARAMS));
    assertFalse(PARSER.detect("x.txt", List.of("JobID|JobName|State", "123|train|COMPLETED"), PARAMS));
    assertFalse(PARSER.detect("x.csv", head("dcgm-exporter_default-counters.csv"), PARAMS));
    assertFalse(PARSER.detect("x", List.of(), PARAMS));
  }

  @Test
  void detectsNoRealSampleOfAnotherFormat() throws IOException {
    try (Stream<Path> files = Files.walk(RealSamples.file(""))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (f.getFileName().toString().endsWith(".prom")) {
          continue;
        }
        List<String> head = Files.readString(f, StandardCharsets.UTF_8).lines()
            .limit(FormatDetector.HEAD_LINES).toList();
        assertFalse(PARSER.detect(f.getFileName().toString(), head, PARAMS), f.toString());
      }
    }
  }

  private static List<String> head(String name) {
    return real(name).lines().limit(FormatDetector.HEAD_LINES).toList();
  }
}

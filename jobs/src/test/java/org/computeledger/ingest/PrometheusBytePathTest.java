package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.computeledger.RealSamples;
import org.junit.jupiter.api.Test;

/**
 * The byte path of Prometheus ingest ({@link ByteLines}, {@link PrometheusBytes}) gives exactly what
 * the text path gives on the same stored bytes (decoded by {@link InputText} as the parse task did):
 * the same rows from the same lines, the same quarantine reasons and raw text, the same counts.
 */
class PrometheusBytePathTest {
  private static final PrometheusParser PARSER = new PrometheusParser();
  private static final IngestParams PARAMS = IngestParams.defaults();
  private static final String UTIL = "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-6d5c0ac5\",modelName=\"Tesla T4\","
      + "Hostname=\"node1\"} ";
  private static final String MS = " 1772445600000";

  static CollectingSink textPath(byte[] stored) {
    CollectingSink sink = new CollectingSink(PARSER.table());
    try {
      PARSER.parse(new InputFile("t/x.prom", "t", PARAMS),
          InputText.text(new ByteArrayInputStream(stored), PARSER.maxLineChars(), PARSER.endsEveryLine()), sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink;
  }

  static CollectingSink bytePath(byte[] stored) {
    CollectingSink sink = new CollectingSink(PARSER.table());
    try {
      ByteLines lines = new ByteLines(new ByteArrayInputStream(stored), PARSER.maxLineChars(), PARSER.endsEveryLine());
      lines.skipByteOrderMark();
      PARSER.parse(new InputFile("t/x.prom", "t", PARAMS), lines, 1, Long.MAX_VALUE, sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink;
  }

  static void assertSame(byte[] stored) {
    CollectingSink text = textPath(stored);
    CollectingSink bytes = bytePath(stored);
    String what = new String(stored, 0, Math.min(stored.length, 200), StandardCharsets.UTF_8);
    assertEquals(text.rejected, bytes.rejected, what);
    assertEquals(text.rowLines, bytes.rowLines, what);
    assertEquals(text.rows.size(), bytes.rows.size(), what);
    for (int i = 0; i < text.rows.size(); i++) {
      assertArrayEquals(text.rows.get(i), bytes.rows.get(i), what + " row " + i);
    }
    assertEquals(text.accepted, bytes.accepted, what);
    assertEquals(text.ignored, bytes.ignored, what);
  }

  private static void assertSame(String text) {
    assertSame(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void realScrapesReadTheSameFromBytes() throws IOException {
    for (String name : List.of("cncf-k8s-ai-conformance_ericsson-ccd.prom", "cncf-k8s-ai-conformance_kops.prom",
        "dcgm-exporter-readme_blank-sentinel.prom")) {
      byte[] stored = Files.readAllBytes(RealSamples.file("dcgm/" + name));
      assertSame(stored);
      assertSame(("# scrape_time: 2026-03-02T10:00:00Z\n" + new String(stored, StandardCharsets.UTF_8))
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void realPrometheusExportsReadTheSameFromBytes() throws IOException {
    // a federation scrape, a raw scrape and a promtool TSDB dump with staleness markers, from a real Prometheus
    for (String name : List.of("federate.prom", "raw-scrape.prom", "tsdb-dump.txt")) {
      try (java.io.InputStream in = PrometheusBytePathTest.class.getResourceAsStream("/real-prometheus/" + name)) {
        assertSame(in.readAllBytes());
      }
    }
  }

  @Test
  void plainValuesParseToTheSameDoubles() {
    StringBuilder sb = new StringBuilder();
    for (String v : List.of("0", "91", "100", "0.5", "1.", ".25", "0.854321", "0.1", "0.3", "0.123456789012345",
        "0.1234567890123456", "000.7", "1e-1", "5E-1", "+0.5", "-0", "1.0e0", "NaN", "Inf", "0x10", "1..2", ".", "")) {
      sb.append(UTIL).append(v).append(MS).append('\n');
    }
    assertSame(sb.toString());
  }

  @Test
  void lineBreaksOfEveryKindCountTheSame() {
    String l = UTIL + "50" + MS;
    assertSame(l + "\r\n" + l + "\r\n");
    assertSame(l + "\r" + l + "\n\n" + l + "\r\r\n" + l + "\n");
    assertSame(l + "\n" + l);
    assertSame(l + "\n" + l + "\r");
    assertSame("\n\n" + l + "\n   \n");
  }

  @Test
  void damagedTextIsQuarantinedTheSame() {
    String l = UTIL + "50" + MS;
    assertSame("\uFEFF" + l + "\n" + l + "\n");
    assertSame("\uFEFF\uFEFF" + l + "\n");
    assertSame(l + "\n" + "DCGM_FI_DEV_GPU_UTIL{Hostname=\"n\u00e9\",gpu=\"0\"} 5" + MS + "\n");
    assertSame(l + "\u0001\n" + l + "\t\n" + l.replace("50", "5\u007f0") + "\n");
    byte[] bad = (l + "\n" + l + "\n").getBytes(StandardCharsets.UTF_8);
    bad[30] = (byte) 0xC3;
    assertSame(bad);
  }

  @Test
  void longLinesAreCutTheSame() {
    String l = UTIL + "50" + MS;
    String longLabel = "DCGM_FI_DEV_GPU_UTIL{Hostname=\"" + "x".repeat(70_000) + "\",gpu=\"0\"} 5" + MS;
    assertSame(l + "\n" + longLabel + "\n" + l + "\n");
    assertSame(l + "\n" + "y".repeat(3_000_000) + "\r" + l + "\n");
    assertSame(l + "\n" + "\u00e9".repeat(40_000) + "\n" + l + "\n");
    assertSame(l + "\n" + "y".repeat(2_000_000));
  }

  @Test
  void unusualSamplesTakeTheTextPathAndReadTheSame() {
    List<String> lines = new ArrayList<>();
    lines.add("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).");
    lines.add("# TYPE DCGM_FI_DEV_GPU_UTIL gauge");
    lines.add("#   scrape_time: 2026-03-02T10:00:00Z");
    lines.add(UTIL + "50");
    lines.add("# scrape_time=not a time");
    lines.add(UTIL + "50");
    lines.add("{__name__=\"DCGM_FI_DEV_GPU_UTIL\", Hostname=\"n1\", gpu=\"1\"} 40 1772445600000");
    lines.add("{__name__=\"DCGM_FI_DEV_GPU_UTIL\", __name__=\"x\", Hostname=\"n1\", gpu=\"1\"} 40 1772445600000");
    lines.add("{Hostname=\"n1\", gpu=\"1\"} 40 1772445600000");
    lines.add("{__name__=\"other_metric\", Hostname=\"n1\"} 40 1772445600000");
    lines.add("DCGM_FI_DEV_GPU_UTIL{Hostname=\"n\\\"1\",gpu=\"0\"} 5" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{Hostname=\"n1\",Hostname=\"n2\",gpu=\"0\"} 5" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{Hostname=\"n1\",gpu=\"x\"} 5" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{Hostname=\"n1\"} 5" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 5" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{instance=\"10.0.0.1:9400\",gpu=\"0\"} 5" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{ Hostname = \"n1\" , gpu=\"0\" , } 5" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{Hostname=\"n1\",gpu=\"0\"} 500" + MS);
    lines.add("DCGM_FI_DEV_POWER_USAGE{Hostname=\"n1\",gpu=\"0\"} 9000" + MS);
    lines.add("DCGM_FI_DEV_POWER_USAGE{Hostname=\"n1\",gpu=\"0\"} 140737488355330" + MS);
    lines.add("DCGM_FI_DEV_SM_CLOCK{Hostname=\"n1\",gpu=\"0\"} 2147483647" + MS);
    lines.add("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{Hostname=\"n1\",gpu=\"0\"} 2147483647" + MS);
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"} 1.5" + MS);
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"} 0.5 1772445600");
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"} 0.5 1772445600.5");
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"} 0.5 1234");
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"} 0.5 99999999999999999999");
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"} 0.5 1772445600000 # {a=\"b\"} 1");
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"} 0.5 1772445600000 junk");
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"}0.5");
    lines.add("DCGM_FI_PROF_SM_ACTIVE{Hostname=\"n1\",gpu=\"0\"");
    lines.add("DCGM_FI_PROF_SM_ACTIVE 0.5" + MS);
    lines.add("DCGM_FI_PROF_SM_ACTIVE");
    lines.add("other_metric{Hostname=\"n1\"} x");
    lines.add("9bad 1");
    lines.add(" " + UTIL + "50" + MS);
    lines.add(UTIL + "50  " + MS + "  ");
    assertSame(String.join("\n", lines) + "\n");
  }

  @Test
  void labelValuesEvictedFromTheCacheReadTheSame() {
    // 300 GPUs by metric, as dcgm-exporter prints a scrape: far more values per label than the cache holds
    StringBuilder sb = new StringBuilder();
    for (String metric : List.of("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_SM_CLOCK")) {
      for (int g = 0; g < 300; g++) {
        sb.append(metric).append("{gpu=\"").append(g % 8).append("\",UUID=\"GPU-").append(g).append("-")
            .append(Integer.toHexString(g * 7919)).append("\",Hostname=\"node").append(g / 8).append("\"} ")
            .append(g % 100).append(MS).append('\n');
      }
    }
    assertSame(sb.toString());
  }

  @Test
  void labelBlocksThatAgreeInTheirFirstBytesOnlyReadTheSame() {
    // MIG instances of one GPU: the blocks differ only after their first 48 bytes, so they share a cache place
    String head = "{gpu=\"0\",UUID=\"GPU-6d5c0ac5-1111-2222-3333-444455556666\",device=\"nvidia0\",";
    List<String> lines = new ArrayList<>();
    for (String metric : List.of("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_GR_ENGINE_ACTIVE")) {
      for (int mig = 1; mig <= 3; mig++) {
        lines.add(metric + head + "GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"" + mig + "\",Hostname=\"n1\"} 0." + mig + MS);
      }
      // the same bytes up to a longer value: the block ends later, so it is not the cached one
      lines.add(metric + head + "GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"12\",Hostname=\"n1\"} 0.4" + MS);
    }
    assertSame(String.join("\n", lines) + "\n");
  }

  @Test
  void aLabelBlockSeenBeforeReadsTheSameWhetherTheNameIsInItOrBeforeIt() {
    String block = "{__name__=\"DCGM_FI_DEV_GPU_UTIL\",gpu=\"1\",UUID=\"GPU-1\",Hostname=\"n1\"}";
    List<String> lines = new ArrayList<>();
    lines.add(block + " 40" + MS);
    lines.add("DCGM_FI_DEV_SM_CLOCK" + block + " 1410" + MS);
    lines.add(block + " 41" + MS);
    lines.add("DCGM_FI_DEV_SM_CLOCK" + block + " 1411" + MS);
    lines.add("{gpu=\"1\",UUID=\"GPU-1\",Hostname=\"n1\"} 42" + MS);
    lines.add("DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-1\",Hostname=\"n1\"} 43" + MS);
    lines.add("{gpu=\"1\",UUID=\"GPU-1\",Hostname=\"n1\"} 44" + MS);
    assertSame(String.join("\n", lines) + "\n");
  }

  @Test
  void aLabelBlockReadAgainFromTheCacheStillNamesItsMetric() {
    String[] labels = {"__name__", "gpu", "Hostname"};
    String[] vals = new String[labels.length];
    PrometheusBytes scan = new PrometheusBytes(new String[] {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_SM_CLOCK"}, labels, 0,
        vals);
    for (String line : List.of("{__name__=\"DCGM_FI_DEV_SM_CLOCK\",gpu=\"1\",Hostname=\"n1\"} 5" + MS,
        "DCGM_FI_DEV_GPU_UTIL{__name__=\"DCGM_FI_DEV_SM_CLOCK\",gpu=\"1\",Hostname=\"n1\"} 6" + MS,
        "{__name__=\"DCGM_FI_DEV_SM_CLOCK\",gpu=\"1\",Hostname=\"n1\"} 7" + MS)) {
      byte[] b = line.getBytes(StandardCharsets.US_ASCII);
      assertEquals(PrometheusBytes.SAMPLE, scan.scan(b, 0, b.length), line);
      assertEquals(line.startsWith("{") ? 1 : 0, scan.metric, line);
      assertEquals("1", vals[1], line);
      assertEquals("n1", vals[2], line);
    }
  }

  @Test
  void aGpusLabelValueIsReusedAfterOtherGpusLines() {
    String[] labels = {"gpu", "UUID", "Hostname"};
    String[] vals = new String[labels.length];
    PrometheusBytes scan = new PrometheusBytes(new String[] {"DCGM_FI_DEV_GPU_UTIL"}, labels, -1, vals);
    List<String> uuids = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (int g = 0; g < 8; g++) {
        byte[] line = ("DCGM_FI_DEV_GPU_UTIL{gpu=\"" + g + "\",UUID=\"GPU-" + g + "\",Hostname=\"n1\"} 5" + MS)
            .getBytes(StandardCharsets.US_ASCII);
        assertEquals(PrometheusBytes.SAMPLE, scan.scan(line, 0, line.length));
        assertEquals("GPU-" + g, vals[1]);
        if (round == 0) {
          uuids.add(vals[1]);
        } else {
          org.junit.jupiter.api.Assertions.assertSame(uuids.get(g), vals[1], "GPU " + g);
        }
      }
    }
  }
}

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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.computeledger.schema.GpuSamples;
import org.junit.jupiter.api.Test;

/** Specification of the nvidia-smi CSV parser, on the real H100 and L40S captures. */
class NvidiaSmiParserTest {
  private static final NvidiaSmiParser PARSER = new NvidiaSmiParser();
  private static final IngestParams UTC = IngestParams.defaults();
  private static final String H100_LOAD =
      "nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load.query-gpu.csv";
  private static final String H100_IDLE =
      "nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.idle.query-gpu.csv";
  private static final String L40S_LOAD = "nvidia-smi/linux-x86_64__nvidia-l40s__595.80.load.query-gpu.csv";
  private static final String L40S_IDLE = "nvidia-smi/linux-x86_64__nvidia-l40s__595.80.idle.query-gpu.csv";

  private static String real(String name) {
    try {
      return Files.readString(RealSamples.file(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static CollectingSink parse(String text, IngestParams params) {
    return CollectingSink.parseText(PARSER, "telemetry/node017/gpu.csv", "node017", text, params);
  }

  /** The capture with the data row's cell under header {@code column} replaced by {@code value}. */
  private static String alter(String text, String column, String value) {
    String[] lines = text.split("\n");
    List<String> header = Arrays.asList(lines[0].split(", ", -1));
    List<String> cells = new ArrayList<>(Arrays.asList(lines[1].split(", ", -1)));
    int at = header.indexOf(column);
    assertTrue(at >= 0, column);
    cells.set(at, value);
    return lines[0] + "\n" + String.join(", ", cells) + "\n";
  }

  private static Timestamp utc(String iso) {
    return Timestamp.from(Instant.parse(iso));
  }

  @Test
  void h100UnderLoadGivesPowerDrawUtilizationAndSmClock() {
    CollectingSink sink = CollectingSink.parse(PARSER, RealSamples.file(H100_LOAD), UTC);

    assertEquals(1, sink.rows.size());
    assertEquals(1, sink.accepted);
    assertEquals(1, sink.ignored);
    assertTrue(sink.rejected.isEmpty());
    assertEquals(631.95, (Double) sink.get(0, GpuSamples.POWER_W), 1e-12);
    assertEquals(1.0, (Double) sink.get(0, GpuSamples.GPU_UTIL), 1e-12);
    assertEquals(1980.0, (Double) sink.get(0, GpuSamples.SM_CLOCK_MHZ));
    assertEquals("NVIDIA H100 80GB HBM3", sink.get(0, GpuSamples.GPU_MODEL));
    assertEquals("GPU-00000000-0000-0000-0000-000000000000", sink.get(0, GpuSamples.GPU_UUID));
    assertEquals(0, sink.get(0, GpuSamples.GPU_INDEX));
    assertEquals(2L, sink.rowLines.get(0));
  }

  @Test
  void timestampIsReadInTheSchedulerZone() {
    String text = real(H100_LOAD);

    assertEquals(utc("2026-07-14T08:12:53.353Z"), parse(text, UTC).get(0, GpuSamples.TS));
    assertEquals(utc("2026-07-14T12:12:53.353Z"),
        parse(text, UTC.withSchedulerZone(ZoneId.of("America/New_York"))).get(0, GpuSamples.TS));
  }

  @Test
  void hostIsTheFolderHoldingTheFile() {
    CollectingSink sink = parse(real(H100_LOAD), UTC);

    assertEquals("node017", sink.get(0, GpuSamples.HOST));
  }

  @Test
  void idleH100ReadsLowPowerAndClock() {
    CollectingSink sink = parse(real(H100_IDLE), UTC);

    assertEquals(69.85, (Double) sink.get(0, GpuSamples.POWER_W), 1e-12);
    assertEquals(0.0, (Double) sink.get(0, GpuSamples.GPU_UTIL));
    assertEquals(345.0, (Double) sink.get(0, GpuSamples.SM_CLOCK_MHZ));
    assertEquals(utc("2026-07-14T08:12:38.696Z"), sink.get(0, GpuSamples.TS));
  }

  @Test
  void l40sCapturesAreRead() {
    CollectingSink load = parse(real(L40S_LOAD), UTC);
    CollectingSink idle = parse(real(L40S_IDLE), UTC);

    assertEquals("NVIDIA L40S", load.get(0, GpuSamples.GPU_MODEL));
    assertEquals(0.09, (Double) load.get(0, GpuSamples.GPU_UTIL), 1e-12);
    assertEquals(110.23, (Double) load.get(0, GpuSamples.POWER_W), 1e-12);
    assertEquals(2520.0, (Double) load.get(0, GpuSamples.SM_CLOCK_MHZ));
    assertEquals(utc("2026-07-03T08:33:53.415Z"), load.get(0, GpuSamples.TS));
    // The capture named idle reports 100 % as written: utilization is a share of time, not of work.
    assertEquals(1.0, (Double) idle.get(0, GpuSamples.GPU_UTIL), 1e-12);
    assertEquals(144.97, (Double) idle.get(0, GpuSamples.POWER_W), 1e-12);
  }

  @Test
  void notAvailableUtilizationIsNullAndTheRowIsKept() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "utilization.gpu [%]", "[N/A]"), UTC);

    assertEquals(1, sink.accepted);
    assertNull(sink.get(0, GpuSamples.GPU_UTIL));
    assertEquals(631.95, (Double) sink.get(0, GpuSamples.POWER_W), 1e-12);
  }

  @Test
  void notSupportedClockIsNull() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "clocks.current.sm [MHz]", "[Not Supported]"), UTC);

    assertNull(sink.get(0, GpuSamples.SM_CLOCK_MHZ));
  }

  @Test
  void powerFallsBackToAverageThenInstantWhenDrawIsNotAvailable() {
    String noDraw = alter(real(H100_LOAD), "power.draw [W]", "[N/A]");
    String instantOnly = alter(noDraw, "power.draw.average [W]", "[N/A]");

    assertEquals(631.95, (Double) parse(noDraw, UTC).get(0, GpuSamples.POWER_W), 1e-12);
    assertEquals(625.68, (Double) parse(instantOnly, UTC).get(0, GpuSamples.POWER_W), 1e-12);
  }

  @Test
  void nounitsOutputWithAliasedClockNameIsRead() {
    String text = "timestamp, name, uuid, index, utilization.gpu [%], power.draw [W], clocks.sm [MHz]\n"
        + "2026/07/14 08:12:53.353, NVIDIA H100 80GB HBM3, GPU-00000000-0000-0000-0000-000000000000, 0, "
        + "100, 631.95, 1980\n";
    CollectingSink sink = parse(text, UTC);

    assertEquals(1.0, (Double) sink.get(0, GpuSamples.GPU_UTIL), 1e-12);
    assertEquals(631.95, (Double) sink.get(0, GpuSamples.POWER_W), 1e-12);
    assertEquals(1980.0, (Double) sink.get(0, GpuSamples.SM_CLOCK_MHZ));
  }

  @Test
  void badTimestampIsQuarantined() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "timestamp", "2026/13/14 08:12:53.353"), UTC);

    assertTrue(sink.rows.isEmpty());
    assertEquals(
        "field timestamp: expected a local time yyyy/MM/dd HH:mm:ss.SSS, '2026/13/14 08:12:53.353'",
        sink.rejected.get(0).reason());
    assertEquals(2, sink.rejected.get(0).line());
  }

  @Test
  void utilizationAboveHundredPercentIsQuarantined() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "utilization.gpu [%]", "140 %"), UTC);

    assertTrue(sink.rows.isEmpty());
    assertEquals("field utilization.gpu: expected a percent within 0..100, '140 %'",
        sink.rejected.get(0).reason());
  }

  @Test
  void powerWithAnotherUnitIsQuarantined() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "power.draw [W]", "631.95 kW"), UTC);

    assertEquals("field power.draw: expected watts >= 0, '631.95 kW'", sink.rejected.get(0).reason());
  }

  @Test
  void rowWithAFieldMissingIsQuarantined() {
    String text = real(H100_LOAD);
    String cut = text.substring(0, text.stripTrailing().lastIndexOf(", ")) + "\n";
    CollectingSink sink = parse(cut, UTC);

    assertEquals("expected 212 fields as in the header, found 211", sink.rejected.get(0).reason());
  }

  @Test
  void headerlessRowsAreQuarantinedForWantOfColumnNames() {
    String dataLine = real(H100_LOAD).lines().skip(1).findFirst().orElseThrow();
    CollectingSink sink = parse(dataLine + "\n", UTC);

    assertTrue(sink.rows.isEmpty());
    assertTrue(sink.rejected.get(0).reason().startsWith("no header line before this row"));
  }

  @Test
  void headerlessFileIsReadWithTheColumnsGivenOnTheCommandLine() {
    String[] lines = real(H100_LOAD).split("\n");
    List<String> columns = Arrays.asList(lines[0].split(", ", -1));
    CollectingSink withHeader = parse(real(H100_LOAD), UTC);
    CollectingSink headerless = parse(lines[1] + "\n", UTC.withNvidiaSmiColumns(columns));

    assertEquals(List.of(), headerless.rejected);
    assertEquals(1, headerless.accepted);
    assertTrue(Arrays.equals(withHeader.rows.get(0), headerless.rows.get(0)));
  }

  @Test
  void headerlessBundledLogIsReadWithQueryNamesWithoutUnits() throws IOException {
    String log = Files.readString(CollectingSink.bundledSample("telemetry/nvidia-smi/l40s01/2026-03.csv"));
    String body = log.substring(log.indexOf('\n') + 1);
    List<String> names = List.of("timestamp", "name", "pci.bus_id", "uuid", "index", "utilization.gpu",
        "power.draw", "clocks.current.sm");
    CollectingSink withHeader = parse(log, UTC);
    CollectingSink headerless = parse(body, UTC.withNvidiaSmiColumns(names));

    assertEquals(List.of(), headerless.rejected);
    assertEquals(withHeader.accepted, headerless.accepted);
    for (int i = 0; i < withHeader.rows.size(); i++) {
      assertTrue(Arrays.equals(withHeader.rows.get(i), headerless.rows.get(i)), "row " + i);
    }
  }

  @Test
  void headerlessRowWithAnotherFieldCountThanTheColumnListIsQuarantined() {
    String dataLine = real(H100_LOAD).lines().skip(1).findFirst().orElseThrow();
    CollectingSink sink = parse(dataLine + "\n", UTC.withNvidiaSmiColumns(List.of("timestamp", "uuid")));

    assertEquals("expected 2 fields as in --nvidia-smi-columns, found 212", sink.rejected.get(0).reason());
  }

  @Test
  void timestampBefore2000IsQuarantined() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "timestamp", "1850/07/14 08:12:53.353"), UTC);

    assertTrue(sink.rows.isEmpty());
    assertEquals("field timestamp: time '1850/07/14 08:12:53.353' is before 2000-01-01T00:00:00Z, the earliest"
        + " plausible", sink.rejected.get(0).reason());
  }

  @Test
  void timestampMoreThanADayAfterTheRunIsQuarantined() {
    IngestParams run = UTC.withRunInstant(Instant.parse("2026-07-13T08:00:00Z"));
    CollectingSink sink = parse(real(H100_LOAD), run);

    assertTrue(sink.rows.isEmpty());
    assertEquals("field timestamp: time '2026/07/14 08:12:53.353' is more than 1 day after the moment of the run",
        sink.rejected.get(0).reason());
  }

  @Test
  void powerAboveFiveKilowattsIsQuarantinedAsImplausible() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "power.draw [W]", "63195.00 W"), UTC);

    assertEquals("field power.draw: '63195.00 W' is more than 5000 W, the plausible limit for one GPU",
        sink.rejected.get(0).reason());
  }

  @Test
  void negativePowerIsQuarantined() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "power.draw [W]", "-31.20 W"), UTC);

    assertEquals("field power.draw: expected watts >= 0, '-31.20 W'", sink.rejected.get(0).reason());
  }

  @Test
  void smClockAboveTenGigahertzIsQuarantinedAsImplausible() {
    CollectingSink sink = parse(alter(real(H100_LOAD), "clocks.current.sm [MHz]", "198000 MHz"), UTC);

    assertEquals("field clocks.current.sm: '198000 MHz' is more than 10000 MHz, the plausible limit",
        sink.rejected.get(0).reason());
  }

  /** The bundled L40S log's header and first data line, that line once per given local time. */
  private static String bundledAt(String... times) throws IOException {
    List<String> lines = Files.readAllLines(CollectingSink.bundledSample("telemetry/nvidia-smi/l40s01/2026-03.csv"));
    StringBuilder text = new StringBuilder(lines.get(0)).append('\n');
    for (String t : times) {
      text.append(t).append(lines.get(1).substring(23)).append('\n');
    }
    return text.toString();
  }

  @Test
  void timeInTheSpringForwardGapIsQuarantinedAsNonexistent() throws IOException {
    IngestParams newYork = UTC.withSchedulerZone(ZoneId.of("America/New_York"));
    CollectingSink sink = parse(bundledAt("2026/03/08 01:59:30.000", "2026/03/08 02:30:00.000",
        "2026/03/08 03:00:30.000"), newYork);

    assertEquals(2, sink.accepted);
    assertEquals("field timestamp: local time '2026/03/08 02:30:00.000' does not exist in America/New_York"
        + " (skipped by the spring-forward change): the host's clock is not in --scheduler-timezone",
        sink.rejected.get(0).reason());
    assertEquals(utc("2026-03-08T06:59:30Z"), sink.get(0, GpuSamples.TS), "01:59:30 EST");
    assertEquals(utc("2026-03-08T07:00:30Z"), sink.get(1, GpuSamples.TS), "03:00:30 EDT");
  }

  @Test
  void timeInTheFallBackHourIsTheFirstPassUntilTheLogHasPassedIt() throws IOException {
    IngestParams newYork = UTC.withSchedulerZone(ZoneId.of("America/New_York"));
    CollectingSink sink = parse(bundledAt("2026/11/01 01:10:00.000", "2026/11/01 01:59:30.000",
        "2026/11/01 01:00:30.000", "2026/11/01 01:10:00.000", "2026/11/01 02:00:30.000"), newYork);

    assertEquals(List.of(), sink.rejected);
    assertEquals(utc("2026-11-01T05:10:00Z"), sink.get(0, GpuSamples.TS), "01:10 EDT, the first pass");
    assertEquals(utc("2026-11-01T05:59:30Z"), sink.get(1, GpuSamples.TS), "01:59:30 EDT");
    assertEquals(utc("2026-11-01T06:00:30Z"), sink.get(2, GpuSamples.TS), "01:00:30 EST, the second pass");
    assertEquals(utc("2026-11-01T06:10:00Z"), sink.get(3, GpuSamples.TS), "01:10 EST");
    assertEquals(utc("2026-11-01T07:00:30Z"), sink.get(4, GpuSamples.TS), "02:00:30 EST");
  }

  @Test
  void repeatedHeaderOfAppendedLogsIsIgnored() {
    String text = real(H100_IDLE) + real(H100_LOAD);
    CollectingSink sink = parse(text, UTC);

    assertEquals(2, sink.accepted);
    assertEquals(2, sink.ignored);
    assertEquals(631.95, (Double) sink.get(1, GpuSamples.POWER_W), 1e-12);
  }

  @Test
  void detectsCapturesWithHeaderAndHeaderlessLogs() {
    String dataLine = real(H100_LOAD).lines().skip(1).findFirst().orElseThrow();

    assertTrue(PARSER.detect("gpu.csv", real(H100_LOAD).lines().toList(), UTC));
    assertTrue(PARSER.detect("gpu.csv", real(L40S_IDLE).lines().toList(), UTC));
    assertTrue(PARSER.detect("gpu.csv", List.of(dataLine), UTC));
  }

  @Test
  void detectsNoOtherRealSample() throws IOException {
    try (Stream<Path> files = Files.walk(RealSamples.file(""))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (f.getParent().getFileName().toString().equals("nvidia-smi")) {
          continue;
        }
        List<String> head = Files.readString(f, StandardCharsets.UTF_8).lines()
            .limit(FormatDetector.HEAD_LINES).toList();
        assertFalse(PARSER.detect(f.getFileName().toString(), head, UTC), f.toString());
      }
    }
    assertFalse(PARSER.detect("flop.csv", List.of(
        "interval_start,interval_end,host,gpu_uuid,gpu_index,flop,precision,source"), UTC));
  }
}

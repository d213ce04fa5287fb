package org.computeledger.devtools;

import org.computeledger.RealSamples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.computeledger.ingest.CollectingSink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test of the bundled sample-logs generator: layout, size, formats and determinism. */
class SampleLogsTest {
  @TempDir
  static Path tmp;
  static Path out;

  @BeforeAll
  static void generate() throws IOException {
    out = tmp.resolve("first");
    SampleLogs.write(out, SampleLogs.DEFAULT_SEED);
  }

  @Test
  void staysUnderFiveMegabytes() throws IOException {
    long total;
    try (Stream<Path> files = Files.walk(out)) {
      total = files.filter(Files::isRegularFile).mapToLong(SampleLogsTest::size).sum();
    }
    assertTrue(total < 5_000_000L, "sample-logs is " + total + " bytes");
  }

  /**
   * Issue 17 wants a run of the sample in seconds: four months must not read more lines than the one
   * month before them did (main's March-only sample had 252,250 lines, gzipped telemetry counted unpacked).
   */
  @Test
  void hasNoMoreLinesThanTheOneMonthSampleBeforeIt() throws IOException {
    long lines = 0;
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = f.toString().endsWith(".gz") ? gunzip(f) : Files.readString(f);
        lines += text.lines().count();
      }
    }
    assertTrue(lines <= 252_250L, "sample-logs has " + lines + " lines");
  }

  /**
   * The trends fit needs a plausible lab: atlas's H100 GPU-hours (its allocations on H100 nodes, Slurm and
   * EKS, cut at month ends; a running job held to the end of May) grow a few times a year, 3-6x by a
   * least-squares fit of ln(hours) on the month, not by orders of magnitude.
   */
  @Test
  void atlasH100HoursGrowThreeToSixTimesAYear() {
    SampleCluster c = SampleCluster.build(SampleLogs.DEFAULT_SEED);
    long[] bounds = {SampleCluster.epoch("2026-02-01T00:00:00"), SampleCluster.epoch("2026-03-01T00:00:00"),
        SampleCluster.epoch("2026-04-01T00:00:00"), SampleCluster.epoch("2026-05-01T00:00:00"), SampleCluster.LOG_END};
    double[] hours = new double[4];
    for (SampleCluster.Job j : c.jobs) {
      if (!j.account.equals("atlas") || j.start < 0) {
        continue;
      }
      long end = j.end == SampleCluster.UNKNOWN ? SampleCluster.LOG_END : j.end;
      for (SampleCluster.Alloc a : j.allocs) {
        if (a.node().model() != SampleCluster.GpuModel.H100_SXM) {
          continue;
        }
        for (int m = 0; m < 4; m++) {
          long s = Math.max(j.start, bounds[m]);
          long e = Math.min(end, bounds[m + 1]);
          if (e > s) {
            hours[m] += (e - s) * a.gpus().length / 3600.0;
          }
        }
      }
    }
    // ln h = a + b t over t = 0..3: b = sum((t - 1.5) ln h) / sum((t - 1.5)^2), the latter being 5
    double b = 0;
    for (int m = 0; m < 4; m++) {
      b += (m - 1.5) * Math.log(hours[m]) / 5.0;
    }
    double annual = Math.exp(12 * b);
    assertTrue(annual > 3 && annual < 6, "annual growth " + annual + " from " + java.util.Arrays.toString(hours));
  }

  @Test
  void writesEveryFileOfTheDocumentedLayout() {
    List<String> expected = List.of("README.md", "registry.yaml", "prices.csv", "resources.csv",
        "scheduler/sacct-2026-02-to-05.txt", "scheduler/kubectl-pods-lumen-eks.json",
        "billing/focus-2026-02.csv", "billing/focus-2026-03.csv", "billing/focus-2026-04.csv",
        "billing/focus-2026-05.csv", "billing/aws-cur2/BILLING_PERIOD=2026-04/lumen-eks-00001.csv.gz",
        "billing/aws-cur2/BILLING_PERIOD=2026-05/lumen-eks-00001.csv.gz",
        "telemetry/nvidia-smi/l40s01/2026-03.csv", "telemetry/flop-counter/atlas-pretrain.csv");
    for (String f : expected) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    for (String node : List.of("gpu001", "gpu002", "gpu003", "gpu004", "gpu005", "gpu006")) {
      for (String day : List.of("2026-02-18", "2026-03-02", "2026-03-03", "2026-04-15", "2026-05-13")) {
        String f = "telemetry/dcgm/" + node + "/" + day + ".prom.gz";
        assertTrue(Files.isRegularFile(out.resolve(f)), f);
      }
    }
  }

  @Test
  void gpu007HasNoTelemetryAtAll() throws IOException {
    try (Stream<Path> files = Files.walk(out.resolve("telemetry"))) {
      assertFalse(files.anyMatch(p -> p.toString().contains("gpu007")));
    }
  }

  @Test
  void everySacctRowHasAsManyFieldsAsTheHeader() throws IOException {
    List<String> lines = Files.readAllLines(out.resolve("scheduler/sacct-2026-02-to-05.txt"));
    int columns = lines.get(0).split("\\|", -1).length;
    assertEquals(17, columns);
    for (int i = 1; i < lines.size(); i++) {
      assertEquals(columns, lines.get(i).split("\\|", -1).length, "line " + (i + 1) + ": " + lines.get(i));
    }
  }

  @Test
  void sacctHasTheJobShapesTheReadmePromises() throws IOException {
    String sacct = Files.readString(out.resolve("scheduler/sacct-2026-02-to-05.txt"));
    assertTrue(sacct.contains("|RUNNING|"), "a running job");
    assertTrue(sacct.contains("|Unknown|"), "an Unknown end");
    assertTrue(sacct.contains("|None|"), "a job cancelled before it started");
    assertTrue(sacct.contains("|CANCELLED by 12345|"));
    assertTrue(sacct.contains("|FAILED|"));
    assertTrue(sacct.contains("|TIMEOUT|"));
    assertTrue(sacct.contains("\n48145_[0-3]|48145|"), "an array cancelled while pending");
    assertTrue(sacct.contains("|branch=refusal-tuning|"));
    assertTrue(sacct.contains("|gpu[001-003]|"), "a multi-node job");
    for (int task = 0; task < 4; task++) {
      assertTrue(sacct.contains("\n48105_" + task + "|"), "array task " + task);
    }
  }

  @Test
  void focusHeaderIsTheRealFocusSampleHeader() throws IOException {
    String real = firstLine(RealSamples.file("billing/focus-1.0-sample.csv"));
    assertEquals(real, firstLine(out.resolve("billing/focus-2026-03.csv")));
  }

  @Test
  void everyFocusRowHasAsManyFieldsAsTheHeader() throws IOException {
    try (Reader r = Files.newBufferedReader(out.resolve("billing/focus-2026-03.csv"));
        CSVParser csv = CSVFormat.DEFAULT.parse(r)) {
      List<CSVRecord> rows = csv.getRecords();
      int columns = rows.get(0).size();
      assertEquals(44, columns);
      for (CSVRecord row : rows) {
        assertEquals(columns, row.size(), "record " + row.getRecordNumber());
      }
      // 8 nodes billed daily for the 31 days of March, then tax, credit and support
      assertEquals(1 + 8 * 31 + 3, rows.size());
    }
  }

  @Test
  void registryParsesAndEveryBranchHasActivityAndStatus() throws IOException {
    JsonNode registry = new YAMLMapper().readTree(out.resolve("registry.yaml").toFile());
    assertEquals("Lumen Lab", registry.path("developer").asText());
    int branches = 0;
    for (JsonNode project : registry.path("projects")) {
      for (JsonNode branch : project.path("branches")) {
        String where = project.path("id").asText() + "/" + branch.path("id").asText();
        assertFalse(branch.path("activity").asText().isEmpty(), where + " activity");
        assertFalse(branch.path("status").asText().isEmpty(), where + " status");
        assertTrue(branch.path("match").isObject(), where + " match");
        branches++;
      }
    }
    assertEquals(13, branches);
  }

  @Test
  void atlasRunsInEveryMonthFromFebruaryToMay() throws IOException {
    String sacct = Files.readString(out.resolve("scheduler/sacct-2026-02-to-05.txt"));
    for (String month : List.of("2026-02", "2026-03", "2026-04", "2026-05")) {
      assertTrue(find(sacct, "\\n\\d+\\|\\d+\\|lumen\\|\\w+\\|atlas\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|"
          + month), "an atlas job starting in " + month);
    }
  }

  @Test
  void everyInstanceOfTheCurBillIsInResourcesCsvAndOneIsReplacedMidMay() throws IOException {
    List<String> map = Files.readAllLines(out.resolve("resources.csv"));
    assertEquals("resource_id,host,valid_from,valid_to", map.get(0));
    String cur = gunzip(out.resolve("billing/aws-cur2/BILLING_PERIOD=2026-05/lumen-eks-00001.csv.gz"));
    for (String line : cur.split("\n")) {
      Matcher m = Pattern.compile(",(i-[0-9a-f]{17}),").matcher(line);
      if (m.find()) {
        assertTrue(map.stream().anyMatch(r -> r.startsWith(m.group(1) + ",")), m.group(1) + " is mapped");
      }
    }
    assertTrue(map.contains("i-0c5e9a7b1d2f48036,ip-10-42-7-31.us-east-2.compute.internal,2026-04-14T08:00:00Z,"
        + "2026-05-13T14:00:00Z"), "the failed instance's mapping ends at 14:00");
    assertTrue(map.contains("i-0e64b2a9c8d7f3152,ip-10-42-11-40.us-east-2.compute.internal,2026-05-13T14:00:00Z,"),
        "its replacement's begins there");
    String hourAfter = "2026-05-13T14:00:00Z/2026-05-13T15:00:00Z";
    List<String> billed = List.of(cur.split("\n")).stream().filter(l -> l.contains(hourAfter)).toList();
    assertFalse(billed.stream().anyMatch(l -> l.contains("i-0c5e9a7b1d2f48036")), "the failed instance ends at 14:00");
    assertTrue(billed.stream().anyMatch(l -> l.contains("i-0e64b2a9c8d7f3152")), "its replacement is billed from 14:00");
  }

  @Test
  void eksTelemetryNamesThePodsAndThePodListHasTheirNodes() throws IOException {
    String dump = gunzip(out.resolve("telemetry/dcgm/ip-10-42-5-77.us-east-2.compute.internal/2026-04-15.prom.gz"));
    Matcher m = Pattern.compile("exported_namespace=\"atlas\", exported_pod=\"(atlas-distill-[^\"]+)\"").matcher(dump);
    assertTrue(m.find(), "a distillation pod in the DCGM labels");
    JsonNode pods = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(out.resolve("scheduler/kubectl-pods-lumen-eks.json").toFile());
    boolean found = false;
    for (JsonNode pod : pods.path("items")) {
      if (pod.path("metadata").path("name").asText().equals(m.group(1))) {
        assertEquals("ip-10-42-5-77.us-east-2.compute.internal", pod.path("spec").path("nodeName").asText());
        assertEquals("8", pod.path("spec").path("containers").get(0).path("resources").path("limits")
            .path("nvidia.com/gpu").asText());
        found = true;
      }
    }
    assertTrue(found, m.group(1) + " is in the pod list");
  }

  @Test
  void gpu002CarriesTheTwoDeliberatelyBadSamples() throws IOException {
    String dump = gunzip(out.resolve("telemetry/dcgm/gpu002/2026-03-02.prom.gz"));
    assertTrue(find(dump, "__name__=\"DCGM_FI_DEV_POWER_USAGE\".*\\} abc \\d{13}\n"), "power abc");
    assertTrue(find(dump, "__name__=\"DCGM_FI_DEV_GPU_UTIL\".*\\} 140 \\d{13}\n"), "utilization 140");
  }

  @Test
  void flopCounterIsWithinTenPercentOfTheTensorActivityEstimate() throws IOException {
    Pattern sample = Pattern.compile(
        "__name__=\"(DCGM_FI_PROF_PIPE_TENSOR_ACTIVE|DCGM_FI_DEV_SM_CLOCK)\".* gpu=\"3\".*\\} (\\S+) (\\d+)");
    Map<Long, Double> tensor = new HashMap<>();
    Map<Long, Double> clock = new HashMap<>();
    for (String line : gunzip(out.resolve("telemetry/dcgm/gpu001/2026-03-02.prom.gz")).split("\n")) {
      Matcher m = sample.matcher(line);
      if (m.find()) {
        (m.group(1).endsWith("ACTIVE") ? tensor : clock).put(Long.parseLong(m.group(3)) / 1000,
            Double.parseDouble(m.group(2)));
      }
    }
    List<String> rows = Files.readAllLines(out.resolve("telemetry/flop-counter/atlas-pretrain.csv"));
    assertEquals(61, rows.size());
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      long from = Instant.parse(f[0]).getEpochSecond();
      List<Long> inMinute = tensor.keySet().stream().filter(t -> t >= from && t < from + 60)
          .collect(Collectors.toList());
      double activity = inMinute.stream().mapToDouble(t -> tensor.get(t) * clock.get(t) / 1980).average()
          .orElseThrow();
      double ratio = Double.parseDouble(f[5]) / (activity * 989.4e12 * 60);
      assertTrue(ratio > 0.899 && ratio < 1.101, row + " is " + ratio + " of the estimate");
    }
  }

  @Test
  void sameSeedWritesIdenticalBytes() throws IOException {
    Path second = tmp.resolve("second");
    SampleLogs.write(second, SampleLogs.DEFAULT_SEED);
    List<Path> firstFiles = relativeFiles(out);
    assertEquals(firstFiles, relativeFiles(second));
    for (Path f : firstFiles) {
      assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(second.resolve(f)),
          f.toString());
    }
  }

  @Test
  void benchWritesWholeScrapesOfAtLeastTheRequestedLines() throws IOException {
    Path bench = tmp.resolve("bench");
    // 12 GPUs: one full host and one with four; 10 metrics each, so 120 lines a scrape
    BenchTelemetry.Result r = BenchTelemetry.write(bench, 1000, 12);
    assertEquals(9 * 120, r.lines());
    assertEquals(2, r.files());
    List<String> lines = Files.readAllLines(bench.resolve("telemetry/dcgm/bench002/bench.prom"));
    assertEquals(9 * 40, lines.size());
    for (String line : lines) {
      assertTrue(line.matches(
          "DCGM_FI_\\w+\\{gpu=\"[0-3]\",.*Hostname=\"bench002\".*\\} [0-9.]+ \\d{13}"), line);
    }
  }

  private static boolean find(String text, String regex) {
    return Pattern.compile(regex).matcher(text).find();
  }

  private static List<Path> relativeFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(root::relativize).sorted().collect(Collectors.toList());
    }
  }

  private static String firstLine(Path file) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return r.readLine();
    }
  }

  private static String gunzip(Path file) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

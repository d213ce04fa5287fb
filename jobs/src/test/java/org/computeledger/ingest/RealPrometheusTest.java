package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.computeledger.schema.GpuSamples;
import org.junit.jupiter.api.Test;

/**
 * The files a real Prometheus 2.42 server wrote about one scrape window (src/test/resources/real-prometheus,
 * made by scripts/capture-real-prometheus): each way of getting the data out gives the same samples
 * (GPU, time, metric, value), and its staleness markers are counted, not quarantined.
 */
class RealPrometheusTest {
  private static final Path DIR = Path.of("src/test/resources/real-prometheus");
  private static final PrometheusParser TEXT = new PrometheusParser();
  private static final PrometheusJsonParser JSON = new PrometheusJsonParser();
  /** The run happens after the capture; plausibility is judged against it. */
  private static final IngestParams PARAMS = IngestParams.defaults();
  private static final String[] METRIC_COLUMNS = {GpuSamples.GPU_UTIL, GpuSamples.SM_ACTIVE,
    GpuSamples.PIPE_TENSOR_ACTIVE, GpuSamples.SM_CLOCK_MHZ, GpuSamples.POWER_W, GpuSamples.ENERGY_MJ};

  private static Properties capture() throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(DIR.resolve("capture.properties"))) {
      p.load(r);
    }
    return p;
  }

  private static String text(String name) throws IOException {
    Path f = DIR.resolve(name);
    if (name.endsWith(".gz")) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
      }
    }
    return Files.readString(f);
  }

  private static CollectingSink parse(FormatParser parser, String name, IngestParams params) throws IOException {
    return CollectingSink.parseText(parser, name, "real-prometheus", text(name), params);
  }

  /**
   * Every row as "host|uuid|gpu|pod|epoch ms|column" to its value: one measurement each (the parsers put
   * one metric per row), so two files with the same map gave the same samples.
   */
  private static Map<String, Double> samples(CollectingSink sink) {
    Map<String, Double> out = new TreeMap<>();
    for (int i = 0; i < sink.rows.size(); i++) {
      String series = sink.get(i, GpuSamples.HOST) + "|" + sink.get(i, GpuSamples.GPU_UUID) + "|"
          + sink.get(i, GpuSamples.GPU_INDEX) + "|" + sink.get(i, GpuSamples.POD) + "|"
          + ((Timestamp) sink.get(i, GpuSamples.TS)).getTime();
      for (String c : METRIC_COLUMNS) {
        Object v = sink.get(i, c);
        if (v != null) {
          Double before = out.put(series + "|" + c, (Double) v);
          assertEquals(null, before, "the same sample twice: " + series + "|" + c);
        }
      }
    }
    return out;
  }

  private static String gpuOf(String key) {
    return key.split("\\|")[2];
  }

  @Test
  void tsdbDumpStalenessMarkersAreCountedAsSuchNotQuarantined() throws IOException {
    CollectingSink dump = parse(TEXT, "tsdb-dump.txt", PARAMS);

    assertTrue(dump.rejected.isEmpty(), dump.rejected.toString());
    // GPU 3 left halfway: one marker for each of its six series (the dump prints them as NaN)
    assertEquals(6, dump.staleMarkers);
    long lines = text("tsdb-dump.txt").lines().count();
    assertEquals(lines, dump.accepted + dump.rejected.size() + dump.ignored);
  }

  @Test
  void tsdbDumpHoldsEverySampleOfTheWindowUntilTheSeriesEnds() throws IOException {
    Map<String, Double> dump = samples(parse(TEXT, "tsdb-dump.txt", PARAMS));

    Map<String, Long> perGpu = new TreeMap<>();
    dump.keySet().forEach(k -> perGpu.merge(gpuOf(k), 1L, Long::sum));
    // 42 scrapes of six metrics; GPU 3 was in the first 19 of them
    assertEquals(Map.of("0", 252L, "1", 252L, "2", 252L, "3", 114L), perGpu);
  }

  @Test
  void federateExportGivesTheDumpsLastSampleOfEverySeriesStillAlive() throws IOException {
    Map<String, Double> dump = samples(parse(TEXT, "tsdb-dump.txt", PARAMS));
    CollectingSink sink = parse(TEXT, "federate.prom", PARAMS);
    Map<String, Double> federate = samples(sink);

    assertTrue(sink.rejected.isEmpty(), sink.rejected.toString());
    assertEquals(18, federate.size()); // three GPUs still present × six metrics
    federate.forEach((k, v) -> assertEquals(v, dump.get(k), k));
  }

  @Test
  void rawScrapeDatedWithScrapeTimeGivesTheSameSamplesAsFederate() throws IOException {
    Instant last = Instant.parse(capture().getProperty("last_scrape_time"));
    CollectingSink raw = parse(TEXT, "raw-scrape.prom", PARAMS.withScrapeTime(last, false));

    assertTrue(raw.rejected.isEmpty(), raw.rejected.toString());
    assertEquals(samples(parse(TEXT, "federate.prom", PARAMS)), samples(raw));
  }

  @Test
  void rawScrapeWithoutAScrapeTimeIsQuarantinedAsBefore() throws IOException {
    CollectingSink raw = parse(TEXT, "raw-scrape.prom", PARAMS);

    assertTrue(raw.rows.isEmpty());
    assertEquals(18, raw.rejected.size());
    assertTrue(raw.rejected.get(0).reason().contains("--scrape-time"), raw.rejected.get(0).reason());
  }

  @Test
  void rawScrapeMayBeDatedByItsFilesModificationTimeWhenAllowed() throws IOException {
    Instant mtime = Instant.parse("2026-12-06T03:38:05Z");
    CollectingSink sink = new CollectingSink(TEXT.table());
    TEXT.parse(new InputFile("raw-scrape.prom", "real-prometheus", PARAMS.withScrapeTime(null, true),
        mtime.toEpochMilli()), new StringReader(text("raw-scrape.prom")), sink);

    assertEquals(18, sink.accepted);
    assertEquals(Timestamp.from(mtime), sink.get(0, GpuSamples.TS));
  }

  @Test
  void aScrapeTimeCommentInTheFileWinsOverTheOption() throws IOException {
    CollectingSink sink = CollectingSink.parseText(TEXT, "raw.prom", "t",
        "# scrape_time: 2026-12-06T03:00:00Z\n" + text("raw-scrape.prom"),
        PARAMS.withScrapeTime(Instant.parse("2026-12-06T03:38:04Z"), false));

    assertEquals(Timestamp.from(Instant.parse("2026-12-06T03:00:00Z")), sink.get(0, GpuSamples.TS));
  }

  @Test
  void rangeSelectorQueryJsonGivesExactlyTheDumpsSamples() throws IOException {
    CollectingSink sink = parse(JSON, "query-range-selector.json", PARAMS);

    assertTrue(sink.rejected.isEmpty(), sink.rejected.toString());
    assertEquals(samples(parse(TEXT, "tsdb-dump.txt", PARAMS)), samples(sink));
  }

  /**
   * query_range evaluates at start + k × step: each point is the series' last stored sample at or before
   * that time, under the evaluation time. So every point must equal the dump's sample it stands for.
   */
  @Test
  void queryRangeJsonPointsAreTheDumpsLastSampleAtOrBeforeEachStep() throws IOException {
    CollectingSink sink = parse(JSON, "query_range-dcgm.json.gz", PARAMS);
    Map<String, Double> range = samples(sink);
    Map<String, TreeMap<Long, Double>> dump = new HashMap<>();
    samples(parse(TEXT, "tsdb-dump.txt", PARAMS)).forEach((k, v) -> {
      String[] f = k.split("\\|");
      dump.computeIfAbsent(f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3] + "|" + f[5], x -> new TreeMap<>())
          .put(Long.parseLong(f[4]), v);
    });

    assertTrue(sink.rejected.isEmpty(), sink.rejected.toString());
    assertFalse(range.isEmpty());
    TreeSet<Double> seen = new TreeSet<>();
    range.forEach((k, v) -> {
      String[] f = k.split("\\|");
      TreeMap<Long, Double> series = dump.get(f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3] + "|" + f[5]);
      assertNotNull(series, k);
      Map.Entry<Long, Double> before = series.floorEntry(Long.parseLong(f[4]));
      assertNotNull(before, k);
      assertEquals(before.getValue(), v, k);
      seen.add(v);
    });
    // GPU 3's series end at its staleness marker: no point after it
    long marker = 1796528174237L;
    assertTrue(range.keySet().stream().filter(k -> gpuOf(k).equals("3"))
        .allMatch(k -> Long.parseLong(k.split("\\|")[4]) < marker));
  }

  @Test
  void oneMetricPerFileGivesThatMetricsPointsOfTheSeveralMetricFile() throws IOException {
    Map<String, Double> all = samples(parse(JSON, "query_range-dcgm.json.gz", PARAMS));
    Map<String, Double> util = samples(parse(JSON, "query_range-gpu-util.json", PARAMS));

    Map<String, Double> utilOfAll = new TreeMap<>(all);
    utilOfAll.keySet().removeIf(k -> !k.endsWith("|" + GpuSamples.GPU_UTIL));
    assertEquals(utilOfAll, util);
  }

  @Test
  void instantVectorJsonHasFederatesValuesAtTheEvaluationTime() throws IOException {
    long end = Long.parseLong(capture().getProperty("window_end_epoch_s")) * 1000;
    Map<String, Double> vector = samples(parse(JSON, "query-vector.json", PARAMS));
    Map<String, Double> federate = samples(parse(TEXT, "federate.prom", PARAMS));

    Map<String, Double> federateAtEnd = new TreeMap<>();
    federate.forEach((k, v) -> {
      String[] f = k.split("\\|");
      federateAtEnd.put(f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3] + "|" + end + "|" + f[5], v);
    });
    assertEquals(federateAtEnd, vector);
  }

  @Test
  void jsonSeriesKeepTheLabelsTheTextFormatKeeps() throws IOException {
    CollectingSink sink = parse(JSON, "query-vector.json", PARAMS);

    int gpu0 = -1;
    for (int i = 0; i < sink.rows.size(); i++) {
      if (Integer.valueOf(0).equals(sink.get(i, GpuSamples.GPU_INDEX))) {
        gpu0 = i;
      }
    }
    assertEquals("gpu-node-01", sink.get(gpu0, GpuSamples.HOST));
    assertEquals("GPU-5d3f1c2e-8a4b-4c6d-9e0f-1a2b3c4d5e00", sink.get(gpu0, GpuSamples.GPU_UUID));
    assertEquals("NVIDIA H100 80GB HBM3", sink.get(gpu0, GpuSamples.GPU_MODEL));
    assertEquals("atlas-train-0", sink.get(gpu0, GpuSamples.POD));
    assertEquals("atlas", sink.get(gpu0, GpuSamples.NAMESPACE));
  }

  @Test
  void everyApiResponseIsDetectedAsPrometheusApiJsonAndTheTextFilesAsText() throws IOException {
    for (String name : List.of("query-range-selector.json", "query-vector.json", "query_range-gpu-util.json",
        "query_range-dcgm.json.gz")) {
      List<String> head = text(name).lines().limit(FormatDetector.HEAD_LINES).toList();
      assertSame(JSON.getClass(), FormatDetector.detect(name, head, PARAMS).parser().getClass(), name);
    }
    for (String name : List.of("federate.prom", "raw-scrape.prom", "tsdb-dump.txt")) {
      List<String> head = text(name).lines().limit(FormatDetector.HEAD_LINES).toList();
      assertSame(TEXT.getClass(), FormatDetector.detect(name, head, PARAMS).parser().getClass(), name);
    }
  }

  @Test
  void prettyPrintedJsonCountsEachSampleAtItsLineAndEveryOtherLineAsWithoutRecords() throws IOException {
    String json = """
        {
          "status": "success",
          "data": {
            "resultType": "matrix",
            "result": [
              {
                "metric": {"__name__": "DCGM_FI_DEV_POWER_USAGE", "Hostname": "n1", "gpu": "0", "UUID": "GPU-a"},
                "values": [
                  [1796528084.237, "250.5"],
                  [1796528089.237, "NaN"],
                  [1796528094.237, "-3"]
                ]
              }
            ]
          }
        }
        """;
    CollectingSink sink = CollectingSink.parseText(JSON, "p.json", "t", json, PARAMS);

    assertEquals(1, sink.accepted);
    assertEquals(List.of(9L), sink.rowLines);
    assertEquals(1, sink.rejected.size());
    assertEquals(11, sink.rejected.get(0).line());
    assertTrue(sink.rejected.get(0).reason().contains("expected a finite number >= 0"), sink.rejected.toString());
    assertEquals(json.lines().count(), sink.accepted + sink.rejected.size() + sink.ignored);
    assertEquals(Timestamp.from(Instant.parse("2026-12-06T03:34:44.237Z")), sink.get(0, GpuSamples.TS));
    assertEquals(250.5, sink.get(0, GpuSamples.POWER_W));
  }

  @Test
  void apiTimesAreReadExactlyInEveryFormTheApiOrAToolMayWrite() {
    assertEquals(Timestamp.from(Instant.parse("2026-12-06T03:34:44.237Z")), PrometheusJsonParser.time("1796528084.237"));
    assertEquals(Timestamp.from(Instant.parse("2026-12-06T03:34:44Z")), PrometheusJsonParser.time("1796528084"));
    assertEquals(Timestamp.from(Instant.parse("2026-12-06T03:34:44.237Z")),
        PrometheusJsonParser.time("1.796528084237e9"));
    assertEquals(Timestamp.from(Instant.parse("2026-12-06T03:34:44.000000001Z")),
        PrometheusJsonParser.time("1796528084.000000001"));
    assertEquals(null, PrometheusJsonParser.time("-1"));
    assertEquals(null, PrometheusJsonParser.time("soon"));
  }

  @Test
  void malformedPairsAreQuarantinedEachAndTheNextPairIsStillRead() {
    CollectingSink sink = CollectingSink.parseText(JSON, "m.json", "t",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
            + "{\"__name__\":\"DCGM_FI_DEV_GPU_UTIL\",\"Hostname\":\"n1\",\"gpu\":\"0\"},\"values\":"
            + "[[],[1796528084.237],[1796528084.237,\"1\",\"x\"],[1796528089.237,\"7\"]]}]}}\n", PARAMS);

    assertEquals(1, sink.accepted);
    assertEquals(0.07, (Double) sink.get(0, GpuSamples.GPU_UTIL), 1e-12);
    assertEquals(3, sink.rejected.size());
    assertTrue(sink.rejected.stream().allMatch(r -> r.reason().contains("expected a [time, \"value\"] pair")),
        sink.rejected.toString());
  }

  @Test
  void apiErrorResponseIsOneQuarantinedRecordNamingTheError() {
    CollectingSink sink = CollectingSink.parseText(JSON, "e.json", "t",
        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\"\"}\n", PARAMS);

    assertEquals(1, sink.rejected.size());
    assertEquals("Prometheus API error response: bad_data: invalid parameter \"query\"",
        sink.rejected.get(0).reason());
  }

  @Test
  void scalarResultIsQuarantinedAsHoldingNoSeries() {
    CollectingSink sink = CollectingSink.parseText(JSON, "s.json", "t",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1796528084.237,\"1\"]}}\n", PARAMS);

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().contains("holds no series"), sink.rejected.get(0).reason());
  }

  @Test
  void seriesWithoutHostIsQuarantinedPerSampleWithItsLabels() {
    CollectingSink sink = CollectingSink.parseText(JSON, "h.json", "t",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
            + "{\"__name__\":\"DCGM_FI_DEV_GPU_UTIL\",\"gpu\":\"0\"},\"value\":[1796528084.237,\"5\"]}]}}\n", PARAMS);

    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().contains("expected Hostname, hostname or instance"));
    assertEquals("DCGM_FI_DEV_GPU_UTIL{__name__=\"DCGM_FI_DEV_GPU_UTIL\",gpu=\"0\"} [1796528084.237, \"5\"]",
        sink.rejected.get(0).raw());
  }

  @Test
  void aCutResponseKeepsTheSamplesBeforeTheCutAndQuarantinesTheCut() {
    String whole = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
        + "{\"__name__\":\"DCGM_FI_DEV_GPU_UTIL\",\"Hostname\":\"n1\",\"gpu\":\"0\"},\"values\":"
        + "[[1796528084.237,\"5\"],[1796528089.237,\"6\"]]}]}}";
    CollectingSink sink = CollectingSink.parseText(JSON, "c.json", "t", whole.substring(0, whole.length() - 20),
        PARAMS);

    assertEquals(1, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("not valid JSON"), sink.rejected.get(0).reason());
  }

  @Test
  void otherMetricsAreLinesWithoutRecords() {
    CollectingSink sink = CollectingSink.parseText(JSON, "o.json", "t",
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
            + "{\"__name__\":\"up\",\"instance\":\"n1:9400\"},\"value\":[1796528084.237,\"1\"]}]}}\n", PARAMS);

    assertEquals(0, sink.accepted);
    assertTrue(sink.rejected.isEmpty());
    assertEquals(1, sink.ignored);
  }
}

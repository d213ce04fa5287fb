package org.computeledger.ingest;

import org.computeledger.RealSamples;
import static org.computeledger.ingest.CsvFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.computeledger.schema.FlopCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlopCounterParserTest {
  private static final Path FIXTURE = fixture();
  private static final List<String> LINES = CsvFixtures.lines(FIXTURE);
  private static final String HEADER = LINES.get(0);
  /** 2026-03-02T10:00Z–10:01Z on node017 GPU 3: 4.1e16 bf16 FLOP counted by CUPTI. */
  private static final String CUPTI_LINE = LINES.get(1);

  private final FlopCounterParser parser = new FlopCounterParser();

  private static Path fixture() {
    try {
      return Path.of(FlopCounterParserTest.class.getResource("/fixtures/flop/counter.csv").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private CollectingSink parse(String text) {
    return CollectingSink.parseText(parser, "counter.csv", "flop", text, IngestParams.defaults());
  }

  /** The CUPTI line with the field under {@code column} replaced. */
  private static String cuptiWith(String column, String value) {
    return CsvFixtures.withField(HEADER, CUPTI_LINE, column, value);
  }

  @Test
  void everyFixtureLineIsAccepted() {
    CollectingSink sink = CollectingSink.parse(parser, FIXTURE, IngestParams.defaults());
    assertEquals(4, sink.accepted);
    assertEquals(0, sink.rejected.size());
    assertEquals(List.of(2L, 3L, 4L, 5L), sink.rowLines);
  }

  @Test
  void countedLineMapsOntoFlopCounts() {
    CollectingSink sink = parse(text(HEADER, CUPTI_LINE));
    assertEquals(Timestamp.from(Instant.parse("2026-03-02T10:00:00Z")), sink.get(0, FlopCounts.INTERVAL_START));
    assertEquals(Timestamp.from(Instant.parse("2026-03-02T10:01:00Z")), sink.get(0, FlopCounts.INTERVAL_END));
    assertEquals("node017", sink.get(0, FlopCounts.HOST));
    assertEquals("GPU-8f1c0a2e-5b7d-4c11-9e3a-2d6f4b8a1c90", sink.get(0, FlopCounts.GPU_UUID));
    assertEquals(3, sink.get(0, FlopCounts.GPU_INDEX));
    assertEquals(4.1e16, sink.get(0, FlopCounts.FLOP));
    assertEquals("bf16", sink.get(0, FlopCounts.PRECISION));
    assertEquals("cupti", sink.get(0, FlopCounts.SOURCE));
  }

  @Test
  void offsetTimesAreConvertedToUtc() {
    CollectingSink sink = parse(text(HEADER, LINES.get(3)));
    assertEquals(Timestamp.from(Instant.parse("2026-03-02T10:00:00Z")), sink.get(0, FlopCounts.INTERVAL_START));
  }

  @Test
  void fractionalSecondsAreKept() {
    CollectingSink sink = parse(text(HEADER, LINES.get(4)));
    assertEquals(Timestamp.from(Instant.parse("2026-03-02T10:00:00.250Z")), sink.get(0, FlopCounts.INTERVAL_START));
  }

  @Test
  void precisionIsLowerCased() {
    CollectingSink sink = parse(text(HEADER, LINES.get(3)));
    assertEquals("fp8", sink.get(0, FlopCounts.PRECISION));
  }

  @Test
  void zeroFlopIsACount() {
    CollectingSink sink = parse(text(HEADER, LINES.get(4)));
    assertEquals(0.0, sink.get(0, FlopCounts.FLOP));
  }

  @Test
  void gpuUuidAloneIdentifiesTheGpu() {
    CollectingSink sink = parse(text(HEADER, cuptiWith("gpu_index", "")));
    assertEquals(1, sink.accepted);
    assertNull(sink.get(0, FlopCounts.GPU_INDEX));
  }

  @ParameterizedTest(name = "{0} = ''{1}''")
  @CsvSource(delimiter = ';', quoteCharacter = '"', value = {
    "flop ; -4.1e16 ; field flop: expected a finite number >= 0, '-4.1e16'",
    "flop ; NaN ; field flop: expected a finite number >= 0, 'NaN'",
    "flop ; Infinity ; field flop: expected a finite number >= 0, 'Infinity'",
    "flop ; 1e400 ; field flop: expected a finite number >= 0, '1e400'",
    "flop ; \"\" ; field flop: expected a number, empty",
    "precision ; fp4 ; field precision: expected one of bf16|fp16|fp8|tf32|fp32|fp64|int8, 'fp4'",
    "interval_start ; 2026-03-02T10:00:00 ; field interval_start: expected an ISO time with Z or an offset, '2026-03-02T10:00:00'",
    "interval_start ; 2026-02-30T10:00:00Z ; field interval_start: expected an ISO time with Z or an offset, '2026-02-30T10:00:00Z'",
    "interval_end ; 2026-03-02T10:00:00Z ; field interval_end: expected a time after interval_start 2026-03-02T10:00:00Z, '2026-03-02T10:00:00Z'",
    "interval_end ; 2026-03-02T09:59:00Z ; field interval_end: expected a time after interval_start 2026-03-02T10:00:00Z, '2026-03-02T09:59:00Z'",
    "gpu_index ; three ; field gpu_index: expected an integer >= 0, 'three'",
    "gpu_index ; -1 ; field gpu_index: expected an integer >= 0, '-1'",
    "host ; \"\" ; field host: expected a value, empty",
    "flop ; 4.1e19 ; field flop: 4.1e19 FLOP in 60.0 s is more than 1e17 FLOP per GPU-second, the plausible limit (20 times the densest peak in the catalog)",
    "interval_start ; 1999-12-31T23:59:00Z ; field interval_start: time '1999-12-31T23:59:00Z' is before 2000-01-01T00:00:00Z, the earliest plausible",
    "interval_end ; 2126-03-02T10:01:00Z ; field interval_end: time '2126-03-02T10:01:00Z' is more than 1 day after the moment of the run",
  })
  void badFieldIsQuarantinedNamingIt(String column, String value, String reason) {
    String line = cuptiWith(column, value);
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(0, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertEquals(2, sink.rejected.get(0).line());
    assertEquals(reason, sink.rejected.get(0).reason());
    assertEquals(line, sink.rejected.get(0).raw());
  }

  @Test
  void gpuWithNeitherUuidNorIndexIsQuarantined() {
    String line = CsvFixtures.withField(HEADER, cuptiWith("gpu_uuid", ""), "gpu_index", "");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals("field gpu_uuid: expected a GPU UUID or a gpu_index, empty", sink.rejected.get(0).reason());
  }

  @Test
  void badLineDoesNotStopTheLinesAfterIt() {
    CollectingSink sink = parse(text(HEADER, cuptiWith("flop", "lots"), LINES.get(2)));
    assertEquals(1, sink.accepted);
    assertEquals(List.of(3L), sink.rowLines);
    assertEquals(2, sink.rejected.get(0).line());
  }

  @Test
  void detectsTheCounterHeader() {
    assertTrue(parser.detect("counter.csv", List.of(HEADER), IngestParams.defaults()));
  }

  @Test
  void doesNotDetectBillingFiles() {
    String focus = CsvFixtures.lines(RealSamples.file("billing/focus-1.0-sample.csv")).get(0);
    assertFalse(parser.detect("a.csv", List.of(focus), IngestParams.defaults()));
  }
}

package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Timestamp;
import java.time.Instant;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parse task (what the manifest's counts come from) on the real Prometheus files of
 * src/test/resources/real-prometheus: staleness markers in their own count, a gzipped one-line API
 * response read whole, a raw scrape dated by its file's modification time.
 */
class PrometheusFileTaskTest {
  private static final Path DIR = Path.of("src/test/resources/real-prometheus");
  private static final IngestParams PARAMS = IngestParams.defaults();
  private static final int TS = Table.GPU_SAMPLES.index(GpuSamples.TS);

  @TempDir Path tmp;

  @Test
  void tsdbDumpSummaryCountsItsStalenessMarkersAmongTheLinesWithoutRecords() {
    FileParseTaskTest.Parsed p = FileParseTaskTest.parse(DIR.resolve("tsdb-dump.txt"), "real-prometheus",
        new PrometheusParser(), PARAMS);

    p.assertCountsAddUp();
    assertEquals(0, p.count(Envelope.QUARANTINED));
    assertEquals(6, p.count(Envelope.STALE));
    assertTrue(p.count(Envelope.IGNORED) >= 6);
  }

  @Test
  void gzippedOneLineQueryRangeResponseIsReadWholeNotCutAtTheLineLimit() {
    FileParseTaskTest.Parsed p = FileParseTaskTest.parse(DIR.resolve("query_range-dcgm.json.gz"),
        "real-prometheus", new PrometheusJsonParser(), PARAMS);

    assertEquals(0, p.count(Envelope.QUARANTINED));
    assertEquals(1, p.count(Envelope.LINES));
    // steps at 1796528064 + 5k up to 1796528286 (capture.properties); the first scrape was at 1796528079.235,
    // so GPUs 0-2 have a point at the 41 steps from 1796528084 on, and GPU 3 at the 19 steps up to its
    // staleness marker at 1796528174.237: (41 × 3 + 19) × 6 metrics
    assertEquals((41 * 3 + 19) * 6, p.count(Envelope.ACCEPTED));
  }

  @Test
  void rawScrapeIsDatedByItsModificationTimeOnlyWhenAllowed() throws IOException {
    Path copy = tmp.resolve("raw-scrape.prom");
    Files.copy(DIR.resolve("raw-scrape.prom"), copy);
    Instant mtime = Instant.parse("2026-12-06T03:38:05Z");
    Files.setLastModifiedTime(copy, FileTime.from(mtime));

    FileParseTaskTest.Parsed allowed = FileParseTaskTest.parse(copy, "t", new PrometheusParser(),
        PARAMS.withScrapeTime(null, true));
    FileParseTaskTest.Parsed notAllowed = FileParseTaskTest.parse(copy, "t", new PrometheusParser(), PARAMS);

    assertEquals(18, allowed.count(Envelope.ACCEPTED));
    assertEquals(Timestamp.from(mtime), allowed.rows.get(0).get(TS));
    assertEquals(0, notAllowed.count(Envelope.ACCEPTED));
    assertEquals(18, notAllowed.count(Envelope.QUARANTINED));
  }
}

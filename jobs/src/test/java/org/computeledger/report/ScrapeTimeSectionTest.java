package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Test;

/** methodology.md states how raw scrapes were dated, and says nothing when the run was not told. */
class ScrapeTimeSectionTest {
  @Test
  void withoutEitherOptionThereIsNoSection() {
    assertEquals("", ScrapeTimeSection.render(IngestParams.defaults()));
  }

  @Test
  void aGivenScrapeTimeIsStatedWithItsValue() {
    String md = ScrapeTimeSection.render(
        IngestParams.defaults().withScrapeTime(Instant.parse("2026-12-06T03:38:04.245Z"), false));
    assertTrue(md.startsWith("## Raw Prometheus scrapes\n"), md);
    assertTrue(md.contains("`--scrape-time 2026-12-06T03:38:04.245Z`"), md);
  }

  @Test
  void datingByModificationTimeIsStatedWithWhatItAssumes() {
    String md = ScrapeTimeSection.render(IngestParams.defaults().withScrapeTime(null, true));
    assertTrue(md.contains("each file's modification time (`--scrape-time-from-mtime`)"), md);
    assertTrue(md.contains("not copied or touched since"), md);
  }
}

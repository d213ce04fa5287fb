package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.computeledger.common.LedgerException;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --scrape-time} and {@code --scrape-time-from-mtime}, as `run` and `ingest` read them. */
class ScrapeTimeOptionsTest {
  private static IngestParams params(Object command, String... args) {
    new CommandLine(command).parseArgs(args);
    CommonOptions common = command instanceof RunCommand r ? r.common : ((IngestCommand) command).common;
    return common.ingestParams();
  }

  @Test
  void scrapeTimeIsAnIsoInstantGivenToIngestAndRun() {
    String[] args = {"--input", "in", "--out", "out", "--scrape-time", "2026-12-06T03:38:04.245Z"};
    assertEquals(Instant.parse("2026-12-06T03:38:04.245Z"), params(new IngestCommand(), args).scrapeTime());
    assertEquals(Instant.parse("2026-12-06T03:38:04.245Z"), params(new RunCommand(), args).scrapeTime());
  }

  @Test
  void scrapeTimeMayCarryAnOffset() {
    IngestParams p = params(new IngestCommand(), "--input", "in", "--out", "out", "--scrape-time",
        "2026-12-06T04:38:04+01:00");
    assertEquals(Instant.parse("2026-12-06T03:38:04Z"), p.scrapeTime());
  }

  @Test
  void withoutEitherOptionRawScrapesAreNotDated() {
    IngestParams p = params(new IngestCommand(), "--input", "in", "--out", "out");
    assertNull(p.scrapeTime());
    assertFalse(p.scrapeTimeFromMtime());
  }

  @Test
  void modificationTimeIsUsedOnlyWhenAllowed() {
    assertTrue(params(new IngestCommand(), "--input", "in", "--out", "out", "--scrape-time-from-mtime")
        .scrapeTimeFromMtime());
  }

  @Test
  void aTimeWithoutOffsetIsOneClearError() {
    LedgerException e = assertThrows(LedgerException.class, () -> params(new IngestCommand(), "--input", "in",
        "--out", "out", "--scrape-time", "2026-12-06 03:38"));
    assertEquals("--scrape-time: expected an ISO-8601 instant with offset such as 2026-03-02T10:00:00Z,"
        + " '2026-12-06 03:38'", e.getMessage());
  }

  @Test
  void bothOptionsAtOnceAreRefused() {
    LedgerException e = assertThrows(LedgerException.class, () -> params(new IngestCommand(), "--input", "in",
        "--out", "out", "--scrape-time", "2026-12-06T03:38:04Z", "--scrape-time-from-mtime"));
    assertTrue(e.getMessage().contains("give one of them, not both"), e.getMessage());
  }
}

package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The scheduler clock on its own: sacct's offset-free times and Amsterdam's 2024 DST changes. */
class SchedulerClockTest {
  private static final SchedulerClock AMSTERDAM = new SchedulerClock(ZoneId.of("Europe/Amsterdam"));

  @Test
  void timeInTheSpringGapIsShiftedForwardByTheGap() {
    // 2024-03-31 02:30 does not exist in Amsterdam: clocks go 02:00 CET -> 03:00 CEST; read as 03:30 CEST
    assertEquals(Instant.parse("2024-03-31T01:30:00Z"), AMSTERDAM.toInstant(LocalDateTime.parse("2024-03-31T02:30:00")));
  }

  @Test
  void timeInTheAutumnOverlapTakesTheEarlierOffsetUnlessAskedForTheLater() {
    LocalDateTime twice = LocalDateTime.parse("2024-10-27T02:30:00");
    assertEquals(Instant.parse("2024-10-27T00:30:00Z"), AMSTERDAM.toInstant(twice));
    assertEquals(Instant.parse("2024-10-27T01:30:00Z"), AMSTERDAM.toInstantLaterOffset(twice));
  }

  @Test
  void fixedOffsetZoneIsOneSubtraction() {
    SchedulerClock india = new SchedulerClock(ZoneId.of("+05:30"));
    assertEquals(Instant.parse("2023-12-31T18:30:00Z"), india.toInstant(LocalDateTime.parse("2024-01-01T00:00:00")));
  }

  @Test
  void localTimeIsNullForUnknownAndNoneAndBadForAnythingElse() {
    assertNull(SchedulerClock.parseLocalTime("Unknown"));
    assertNull(SchedulerClock.parseLocalTime("None"));
    assertNull(SchedulerClock.parseLocalTime(null));
    assertSame(SchedulerClock.BAD_TIME, SchedulerClock.parseLocalTime("2023-02-29T12:00:00"));
    assertEquals(LocalDateTime.of(2023, 8, 31, 12, 29, 47), SchedulerClock.parseLocalTime("2023-08-31 12:29:47"));
  }
}

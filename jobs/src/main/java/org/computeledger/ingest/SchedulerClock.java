package org.computeledger.ingest;

import static org.computeledger.ingest.TextScan.digits;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneRules;

/**
 * The scheduler's clock: sacct prints times without an offset, in --scheduler-timezone; {@link SacctParser}
 * reads them here and places them on the UTC timeline, with the zone's DST gap and overlap rules.
 */
final class SchedulerClock {
  /** Parsed time marker for "present but not a time", distinct from null ("Unknown", "None", empty). */
  static final LocalDateTime BAD_TIME = LocalDateTime.MIN;

  private final ZoneId zone;
  private final ZoneRules rules;
  private final boolean fixed;

  SchedulerClock(ZoneId zone) {
    this.zone = zone;
    this.rules = zone.getRules();
    this.fixed = rules.isFixedOffset();
  }

  /**
   * {@link ZonedDateTime#ofLocal} semantics, not {@code ofStrict}: a time in the spring-forward gap
   * (which the scheduler cannot have printed unless its clock and zone disagree) is shifted forward by
   * the gap's length instead of being rejected, and a time in the fall-back overlap takes the earlier
   * offset, i.e. the first pass through that hour.
   */
  Instant toInstant(LocalDateTime t) {
    if (t == null) {
      return null;
    }
    if (fixed) {
      return Instant.ofEpochSecond(t.toEpochSecond(rules.getOffset(Instant.EPOCH)));
    }
    return ZonedDateTime.ofLocal(t, zone, null).toInstant();
  }

  Instant toInstantLaterOffset(LocalDateTime t) {
    return ZonedDateTime.ofLocal(t, zone, null).withLaterOffsetAtOverlap().toInstant();
  }

  /** A sacct local time; null for Unknown, None or empty; {@link #BAD_TIME} for anything else. */
  static LocalDateTime parseLocalTime(String s) {
    if (s == null || s.equals("Unknown") || s.equals("None")) {
      return null;
    }
    if (s.length() != 19 || s.charAt(4) != '-' || s.charAt(7) != '-'
        || (s.charAt(10) != 'T' && s.charAt(10) != ' ') || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return BAD_TIME;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (year < 1 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59 || day > Month.of(month).length(Year.isLeap(year))) {
      return BAD_TIME;
    }
    return LocalDateTime.of(year, month, day, hour, minute, second);
  }
}

package org.computeledger.ingest;

import java.time.Duration;
import java.time.Instant;

/**
 * The limits beyond which ingest treats input as damage rather than data, in one place so that the
 * parsers, the quarantine and the documentation cite the same numbers. A record outside them is
 * quarantined with a reason that names the limit; nothing here ever stops a run.
 *
 * <p>Text: the decoder replaces bytes that are not UTF-8 by {@link #NOT_UTF8} (not by U+FFFD, which
 * is a real character a log may hold), the line reader replaces control characters other than tab by
 * {@link #CONTROL} and cuts a line after {@link #MAX_LINE_CHARS} characters, marking the cut with
 * {@link #LINE_CUT}. These three are Unicode noncharacters, reserved for a program's internal use, so
 * no log holds them legitimately; a line (or multi-line record) that contains one is quarantined, and
 * the marks stay in its raw text to show where the damage was.
 */
public final class Plausibility {
  /** Stands for a byte sequence that is not UTF-8 (one mark per undecodable sequence). */
  public static final char NOT_UTF8 = '\uFDD0';
  /** Stands for a control character other than tab, CR and LF: binary data in a text log. */
  public static final char CONTROL = '\uFDD1';
  /** Ends a line cut at {@link #MAX_LINE_CHARS}; what followed up to the next line break was skipped unread. */
  public static final char LINE_CUT = '\uFDD2';
  /**
   * Ends the last line of a file that has no line break after it, in a format whose writer ends
   * every line ({@link FormatParser#endsEveryLine()}): the file was cut mid-write, and the partial
   * line ("... 91" cut to "... 9") must not be read as a value.
   */
  public static final char UNTERMINATED = '\uFDD3';

  /**
   * Longest physical line read, in characters (64 Ki). Real lines are far shorter (a dcgm-exporter
   * line with every label is under 1 Ki, a FOCUS line with tags a few Ki); a 1 MB job name or a
   * 200 KB label is damage. Bounds the memory a line without line breaks can take. Not applied to
   * Kubernetes pod lists, one JSON document whose size is bounded per value (see {@link #MAX_FIELD_CHARS}).
   */
  public static final int MAX_LINE_CHARS = 65_536;

  /**
   * Longest value kept from a JSON pod list (name, namespace, node, label key or value), in
   * characters. Kubernetes itself allows 253 for names and 63 for label values.
   */
  public static final int MAX_FIELD_CHARS = 4_096;

  /** Raw text kept in a quarantine row, in characters; longer text is cut and says so. */
  public static final int MAX_RAW_CHARS = 4_096;

  /** Reason text kept in a quarantine row, in characters (a reason quotes the bad value). */
  public static final int MAX_REASON_CHARS = 1_024;

  /**
   * Bytes of a compressed file held back after its last line break until the stream is known to
   * have ended cleanly, so that the partial last line of a file cut mid-write is never parsed as a
   * value. A longer run without a line break is released anyway (it is cut at {@link #MAX_LINE_CHARS}).
   */
  public static final int MAX_HELD_BACK_BYTES = 4 * MAX_LINE_CHARS + 4;

  /** No time before this is plausible in a GPU-cluster log (nor storable: Spark refuses years before 1900). */
  public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  /**
   * How far after the moment of the run ({@link IngestParams#runInstant()}) a time may lie: clocks
   * drift and zones get misconfigured, but nothing is logged a day ahead.
   */
  public static final Duration FUTURE_TOLERANCE = Duration.ofDays(1);

  /** GPUs one allocation may hold on one node; the largest nodes have 16 (a GB200 NVL72 rack is 18 nodes of 4). */
  public static final int MAX_GPUS_PER_NODE = 64;

  /** Power one GPU may draw, in watts (a B200 is rated 1,000-1,200 W, a GB200 superchip 2,700 W). */
  public static final double MAX_POWER_W = 5_000;

  /** SM clock one GPU may run at, in MHz (current parts boost below 3,000). */
  public static final double MAX_SM_CLOCK_MHZ = 10_000;

  /**
   * FLOP one GPU may do per second of a counter interval: 10^17, twenty times the densest peak in
   * the catalog (GB200 FP8, 5,000 dense TFLOPS). A count above it is a unit or counter error.
   */
  public static final double MAX_FLOP_PER_GPU_SECOND = 1e17;

  private Plausibility() {}

  /** The window of plausible times of one run: from {@link #EARLIEST} to the run plus {@link #FUTURE_TOLERANCE}. */
  public static Instant latest(IngestParams params) {
    return params.runInstant().plus(FUTURE_TOLERANCE);
  }

  /**
   * Why {@code t} (read from {@code field} as {@code printed}) is no plausible time for this run, or
   * null when it is. The run's own time is not quoted, so that the reason is the same on every run.
   */
  public static String implausibleTime(String field, Instant t, String printed, IngestParams params) {
    if (t.isBefore(EARLIEST)) {
      return "field " + field + ": time '" + printed + "' is before 2000-01-01T00:00:00Z, the earliest plausible";
    }
    if (t.isAfter(latest(params))) {
      return "field " + field + ": time '" + printed + "' is more than 1 day after the moment of the run";
    }
    return null;
  }

  /**
   * Why a line (or the text of a multi-line record) as the ingest reader delivered it is damage, or
   * null when it is clean text. For text all in Latin-1 each test is O(1) (compact strings).
   */
  public static String textDamage(String s) {
    if (s.indexOf(LINE_CUT) >= 0) {
      return "line longer than " + MAX_LINE_CHARS + " characters (the limit); read up to the limit only";
    }
    if (s.indexOf(UNTERMINATED) >= 0) {
      return "the file ends inside this line, with no line break after it: cut mid-write, not read"
          + " (marked U+FDD3 in raw)";
    }
    int i = s.indexOf(NOT_UTF8);
    if (i >= 0) {
      return "not UTF-8: bytes that do not decode at column " + (i + 1) + " (marked U+FDD0 in raw)";
    }
    i = s.indexOf(CONTROL);
    if (i >= 0) {
      return "binary data: control character at column " + (i + 1) + " (marked U+FDD1 in raw)";
    }
    return null;
  }

  /** Raw text as a quarantine row keeps it: cut at {@link #MAX_RAW_CHARS}, saying so. */
  public static String rawForQuarantine(String raw) {
    return cut(raw, MAX_RAW_CHARS);
  }

  /** A reason as a quarantine row keeps it: cut at {@link #MAX_REASON_CHARS}, saying so. */
  public static String reasonForQuarantine(String reason) {
    return cut(reason, MAX_REASON_CHARS);
  }

  private static String cut(String s, int limit) {
    if (s == null || s.length() <= limit) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(limit - 1)) ? limit - 1 : limit;
    return s.substring(0, end) + " [cut: " + s.length() + " characters in all, the first " + end + " kept]";
  }
}

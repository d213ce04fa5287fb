package org.computeledger.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.computeledger.common.LedgerException;
import org.computeledger.ingest.BadFraction;
import org.computeledger.ingest.IngestParams;
import picocli.CommandLine.Option;

/** Options every command accepts (PRODUCT.md §3), resolved once into the parameter records. */
final class CommonOptions {
  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (e.g. spark://host:7077). Default: embedded local[*], or what spark-submit set.")
  String master;

  @Option(names = "--scheduler-timezone", paramLabel = "TZ", defaultValue = IngestParams.DEFAULT_SCHEDULER_ZONE,
      description = "Zone of times printed without an offset (sacct, nvidia-smi). Default: ${DEFAULT-VALUE}.")
  String schedulerTimezone;

  @Option(names = "--standard", paramLabel = "ID",
      description = "Accounting standard to apply (repeatable). Default: every built-in standard.")
  List<String> standards = new ArrayList<>();

  @Option(names = "--sacct-columns", paramLabel = "LIST", split = ",",
      description = "Column names of sacct files written without a header line, in order "
          + "(as given to sacct --format), e.g. JobID,JobName,User,...")
  List<String> sacctColumns = new ArrayList<>();

  @Option(names = "--nvidia-smi-columns", paramLabel = "LIST", split = ",",
      description = "Query names of nvidia-smi files written with --format=csv,noheader, in order "
          + "(as given to --query-gpu), e.g. timestamp,uuid,index,utilization.gpu,power.draw")
  List<String> nvidiaSmiColumns = new ArrayList<>();

  @Option(names = "--cluster", paramLabel = "NAME", defaultValue = IngestParams.DEFAULT_CLUSTER,
      description = "Cluster name for scheduler records that name none. Default: ${DEFAULT-VALUE}.")
  String cluster;

  @Option(names = "--scrape-time", paramLabel = "INSTANT",
      description = "When the raw Prometheus scrapes in the input (samples without timestamps) were taken, as an"
          + " ISO-8601 instant, e.g. 2026-03-02T10:00:00Z. A '# scrape_time:' comment in a file overrides it.")
  String scrapeTime;

  @Option(names = "--scrape-time-from-mtime",
      description = "Date raw Prometheus scrapes that state no time by their file's modification time.")
  boolean scrapeTimeFromMtime;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  @Option(names = "--max-bad-fraction", paramLabel = "F", defaultValue = BadFraction.DEFAULT,
      description = "Stop before writing when more than this share of the records of any input kind (scheduler,"
          + " telemetry, counters, billing) is quarantined; 1 never stops. Default: ${DEFAULT-VALUE}.")
  double maxBadFraction;

  /** {@code --max-bad-fraction}, checked. */
  double maxBadFraction() {
    return BadFraction.parse(maxBadFraction);
  }

  /** Said once per command when user pseudonyms are made with the public default key. */
  static final String UNKEYED_WARNING = "ledger: warning: LEDGER_PSEUDONYM_KEY is not set, so user pseudonyms are"
      + " unkeyed: anyone with a list of user names can tell whose jobs they are; set it to a secret (the same"
      + " secret gives the same pseudonyms in every run)";

  /** The ingest parameters (see {@link #warnIfUnkeyed}). */
  IngestParams ingestParams() {
    ZoneId zone;
    try {
      zone = ZoneId.of(schedulerTimezone);
    } catch (DateTimeException e) {
      throw new LedgerException("--scheduler-timezone: unknown time zone '" + schedulerTimezone
          + "' (expected an IANA name such as Europe/Amsterdam)");
    }
    String key = System.getenv("LEDGER_PSEUDONYM_KEY");
    boolean unkeyed = key == null || key.isEmpty();
    return new IngestParams(zone, List.copyOf(sacctColumns), cluster,
        unkeyed ? IngestParams.DEFAULT_PSEUDONYM_KEY : key,
        nvidiaSmiColumns.stream().map(String::strip).filter(c -> !c.isEmpty()).toList(), Instant.now())
        .withScrapeTime(scrapeTime(), scrapeTimeFromMtime);
  }

  /** {@code --scrape-time}, checked; null when not given. */
  private Instant scrapeTime() {
    if (scrapeTime == null) {
      return null;
    }
    if (scrapeTimeFromMtime) {
      throw new LedgerException("--scrape-time and --scrape-time-from-mtime: give one of them, not both");
    }
    try {
      return java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(scrapeTime.strip(), Instant::from);
    } catch (DateTimeException e) {
      throw new LedgerException("--scrape-time: expected an ISO-8601 instant with offset such as"
          + " 2026-03-02T10:00:00Z, '" + scrapeTime + "'");
    }
  }

  /**
   * Says once on stderr that pseudonyms are unkeyed, when they are: a warning about privacy, not
   * progress, so said even with --quiet; called when the work starts, after every check that can
   * refuse the command, so that a refusal stays one line.
   */
  static void warnIfUnkeyed(IngestParams p) {
    if (p.pseudonymKey().equals(IngestParams.DEFAULT_PSEUDONYM_KEY)) {
      System.err.println(UNKEYED_WARNING);
    }
  }
}

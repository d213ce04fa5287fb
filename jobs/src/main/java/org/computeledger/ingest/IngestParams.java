package org.computeledger.ingest;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * Parameters of an ingest, parsed once by the command line.
 *
 * @param schedulerZone zone of times printed without an offset (sacct, nvidia-smi); default UTC
 * @param sacctColumns column names for sacct files without a header line (e.g. from
 *     {@code sacct --format=...}); empty when not given
 * @param cluster cluster name for records that do not name one (sacct without a Cluster column)
 * @param pseudonymKey secret mixed into user pseudonyms so that they cannot be reversed by a
 *     dictionary of user names; the same key gives the same pseudonyms across runs
 * @param nvidiaSmiColumns query names of nvidia-smi files written with {@code --format=csv,noheader},
 *     in order (as given to {@code --query-gpu}, units in brackets allowed); empty when not given
 * @param runInstant the moment of the run: times more than {@link Plausibility#FUTURE_TOLERANCE}
 *     after it are quarantined as implausible; a parameter so that tests are deterministic
 * @param scrapeTime when a raw Prometheus scrape (samples without timestamps) was taken
 *     ({@code --scrape-time}); null when not given
 * @param scrapeTimeFromMtime whether a raw scrape without a stated time is dated by its file's
 *     modification time ({@code --scrape-time-from-mtime})
 */
public record IngestParams(
    ZoneId schedulerZone, List<String> sacctColumns, String cluster, String pseudonymKey,
    List<String> nvidiaSmiColumns, Instant runInstant, Instant scrapeTime, boolean scrapeTimeFromMtime)
    implements Serializable {

  /** Without a scrape time for raw scrapes. */
  public IngestParams(ZoneId schedulerZone, List<String> sacctColumns, String cluster, String pseudonymKey,
      List<String> nvidiaSmiColumns, Instant runInstant) {
    this(schedulerZone, sacctColumns, cluster, pseudonymKey, nvidiaSmiColumns, runInstant, null, false);
  }

  public static final String DEFAULT_SCHEDULER_ZONE = "UTC";
  public static final String DEFAULT_CLUSTER = "default";
  public static final String DEFAULT_PSEUDONYM_KEY = "compute-ledger";

  /** Without an nvidia-smi column list, at the moment of the call. */
  public IngestParams(ZoneId schedulerZone, List<String> sacctColumns, String cluster, String pseudonymKey) {
    this(schedulerZone, sacctColumns, cluster, pseudonymKey, List.of(), Instant.now());
  }

  public static IngestParams defaults() {
    return new IngestParams(ZoneId.of(DEFAULT_SCHEDULER_ZONE), List.of(), DEFAULT_CLUSTER, DEFAULT_PSEUDONYM_KEY);
  }

  public IngestParams withSchedulerZone(ZoneId zone) {
    return new IngestParams(zone, sacctColumns, cluster, pseudonymKey, nvidiaSmiColumns, runInstant,
        scrapeTime, scrapeTimeFromMtime);
  }

  public IngestParams withSacctColumns(List<String> columns) {
    return new IngestParams(schedulerZone, List.copyOf(columns), cluster, pseudonymKey, nvidiaSmiColumns,
        runInstant, scrapeTime, scrapeTimeFromMtime);
  }

  public IngestParams withNvidiaSmiColumns(List<String> columns) {
    return new IngestParams(schedulerZone, sacctColumns, cluster, pseudonymKey, List.copyOf(columns),
        runInstant, scrapeTime, scrapeTimeFromMtime);
  }

  public IngestParams withRunInstant(Instant instant) {
    return new IngestParams(schedulerZone, sacctColumns, cluster, pseudonymKey, nvidiaSmiColumns, instant,
        scrapeTime, scrapeTimeFromMtime);
  }

  /** With the time of raw scrapes ({@code --scrape-time}, or null) and whether file times may date them. */
  public IngestParams withScrapeTime(Instant time, boolean fromMtime) {
    return new IngestParams(schedulerZone, sacctColumns, cluster, pseudonymKey, nvidiaSmiColumns, runInstant,
        time, fromMtime);
  }
}

package org.computeledger.ingest;

/**
 * Where a parser puts what it read. Every physical line of a file ends up in exactly one of
 * {@link #accept}, {@link #quarantine} or {@link #ignore} (a multi-line record counts once, at its
 * first line), so that the manifest's counts always add up: read = accepted + quarantined.
 */
public interface RowSink {

  /** A fresh row sized to the parser's table, all nulls; fill it by {@code table.index(column)}. */
  Object[] newRow();

  /**
   * An accepted row. {@code source_file}, {@code source_line} and {@code source_format} are set by the
   * sink. A record that expands to several rows (a job over several nodes) calls this once per row
   * and {@link #recordAccepted()} once.
   */
  void emit(long line, Object[] row);

  /** Counts one accepted record (after its rows were emitted). */
  void recordAccepted();

  /** A rejected record: why, and the raw text as read. */
  void quarantine(long line, String reason, String raw);

  /** A line that holds no record: header, comment, blank line, a metric that is not used. */
  void ignore(long line);

  /**
   * A line that holds a Prometheus staleness marker: no measurement but the end of a series (see
   * {@link PrometheusParser}). It is a line without a record like {@link #ignore}, counted apart as
   * well so that the manifest shows how many series ended.
   */
  default void staleMarker(long line) {
    ignore(line);
  }
}

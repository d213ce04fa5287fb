package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.util.List;
import org.computeledger.schema.Table;

/**
 * One input format: recognises a file from its first lines and turns its records into rows of one
 * canonical table. Implementations are stateless and serializable; they run on executors, one file at
 * a time, so a file's lines are read in order and every record keeps its line number.
 */
public interface FormatParser extends Serializable {

  /** Stable id written to the manifest and the quarantine, e.g. {@code slurm-sacct}. */
  String format();

  /** The canonical table this format fills. */
  Table table();

  /**
   * Whether a file is in this format, judged from content: its first lines (at most
   * {@link FormatDetector#HEAD_LINES}, byte-order mark removed, decompressed) and, only as a hint,
   * its name. Must not throw.
   */
  boolean detect(String fileName, List<String> head, IngestParams params);

  /**
   * Reads the whole file and reports every line through {@code sink}: each record is accepted
   * or quarantined, and each line that holds no record (header, comment, blank, a metric we do not
   * use) is ignored. Line numbers are 1-based physical lines of the decompressed file.
   */
  void parse(InputFile file, Reader in, RowSink sink) throws IOException;

  /**
   * Whether rows of this format carry one measurement each and must be merged per
   * (file, host, GPU, MIG instance, timestamp) into one row (Prometheus: one line per metric).
   */
  default boolean mergesSamples() {
    return false;
  }

  /**
   * Longest physical line this format reads before cutting it ({@link Plausibility#MAX_LINE_CHARS});
   * a format whose records span lines bounds its values itself.
   */
  default int maxLineChars() {
    return Plausibility.MAX_LINE_CHARS;
  }

  /**
   * Whether every line of this format ends with a line break, so that a last line without one is a
   * file cut mid-write ({@link Plausibility#UNTERMINATED}). True where the writer ends every line
   * (sacct, exporters and scrapes, nvidia-smi's logging loop, counter logs); false for CSV bills,
   * whose last record may lack the break (RFC 4180 §2.2), and for JSON documents.
   */
  default boolean endsEveryLine() {
    return false;
  }
}

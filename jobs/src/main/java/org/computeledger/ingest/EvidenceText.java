package org.computeledger.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

/**
 * The audit's way into a stored input file: the same decompression and decoding the parse task
 * applies ({@link InputText}), so that a line number and a line's text mean for an auditor exactly
 * what they meant to the ingest that wrote {@code source_line}.
 */
public final class EvidenceText {
  private EvidenceText() {}

  /**
   * Whether a stored local file is Parquet, whose text for a parser is its rows as CSV
   * ({@link #openParquet}), not its bytes.
   */
  public static boolean isParquet(java.nio.file.Path file) throws IOException {
    try (InputStream in = java.nio.file.Files.newInputStream(file)) {
      return ParquetText.isParquet(in);
    }
  }

  /** A local Parquet bill's rows as the CSV text the ingest parsed (header line 1, row N line N + 1). */
  public static Reader openParquet(java.nio.file.Path file) throws IOException {
    return ParquetText.csv(new org.apache.hadoop.conf.Configuration(),
        new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()));
  }

  /** The text of a stored file (gzip or plain) as a parser reads it. */
  public static Reader open(InputStream stored, FormatParser parser) throws IOException {
    return InputText.text(InputText.open(stored), parser.maxLineChars());
  }
}

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

  /** The text of a stored file (gzip or plain) as a parser reads it. */
  public static Reader open(InputStream stored, FormatParser parser) throws IOException {
    return InputText.text(InputText.open(stored), parser.maxLineChars());
  }
}

package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.util.List;
import org.computeledger.schema.Table;

/**
 * The parser of a compressed file that yields no line before its damage (a gzip header followed by
 * garbage, a file cut inside its first block): it reads what can be read and reports nothing, and the
 * parse task quarantines the damage as the file's one record. Its rows would be telemetry, the
 * commonest compressed input; it emits none.
 */
final class UnreadableParser implements FormatParser {
  private static final long serialVersionUID = 1L;

  static final String FORMAT = "unreadable";

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public Table table() {
    return Table.GPU_SAMPLES;
  }

  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    return false;
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    char[] buf = new char[8192];
    while (in.read(buf) >= 0) {
      // reading to the damage is what finds it
    }
  }
}

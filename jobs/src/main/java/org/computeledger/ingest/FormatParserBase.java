package org.computeledger.ingest;

import org.computeledger.schema.Table;

/**
 * What every format's parser shares: its format name (as the manifest lists it) and the canonical
 * table it fills, given once to the constructor instead of two methods per parser.
 */
abstract class FormatParserBase implements FormatParser {
  private final String format;
  private final Table table;

  FormatParserBase(String format, Table table) {
    this.format = format;
    this.table = table;
  }

  @Override
  public final String format() {
    return format;
  }

  @Override
  public final Table table() {
    return table;
  }
}

package org.computeledger.ingest;

/**
 * A sink that passes everything on but rewrites the raw text of quarantined records first, so that a
 * parser can keep personal data out of the quarantine (PRODUCT.md §8) without wrapping each call.
 */
abstract class RawMaskingSink implements RowSink {
  private final RowSink out;

  RawMaskingSink(RowSink out) {
    this.out = out;
  }

  /** The raw text as the quarantine may keep it; null stays null. */
  abstract String mask(String raw);

  @Override
  public Object[] newRow() {
    return out.newRow();
  }

  @Override
  public void emit(long line, Object[] row) {
    out.emit(line, row);
  }

  @Override
  public void recordAccepted() {
    out.recordAccepted();
  }

  @Override
  public void ignore(long line) {
    out.ignore(line);
  }

  @Override
  public void staleMarker(long line) {
    out.staleMarker(line);
  }

  @Override
  public void quarantine(long line, String reason, String raw) {
    out.quarantine(line, reason, mask(raw));
  }
}

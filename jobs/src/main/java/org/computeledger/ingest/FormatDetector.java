package org.computeledger.ingest;

/** Chooses each input file's parser from its content. */
public final class FormatDetector {
  /** How many leading lines detection looks at. */
  public static final int HEAD_LINES = 20;

  private FormatDetector() {}
}

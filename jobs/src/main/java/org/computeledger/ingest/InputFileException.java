package org.computeledger.ingest;

/**
 * A whole input file that cannot be read from its file system: fatal, reported as one line. Damaged
 * content (a cut gzip, bytes that are not text) never is: see {@link InputText}.
 */
public final class InputFileException extends RuntimeException {
  public InputFileException(String message, Throwable cause) {
    super(message, cause);
  }

  public InputFileException(String message) {
    super(message);
  }
}

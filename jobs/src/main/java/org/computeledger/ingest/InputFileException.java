package org.computeledger.ingest;

/** A whole input file that cannot be read (corrupt gzip, unreadable bytes): fatal, reported as one line. */
public final class InputFileException extends RuntimeException {
  public InputFileException(String message, Throwable cause) {
    super(message, cause);
  }

  public InputFileException(String message) {
    super(message);
  }
}

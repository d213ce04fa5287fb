package org.computeledger.common;

/** An error the user can act on: its message is one line naming the file, line or entry at fault. */
public class LedgerException extends RuntimeException {
  public LedgerException(String message) {
    super(message);
  }

  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}

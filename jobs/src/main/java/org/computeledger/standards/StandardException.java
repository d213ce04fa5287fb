package org.computeledger.standards;

import org.computeledger.common.LedgerException;

/** A standard file that cannot be used as written; one line naming the file, the field and what was expected. */
public final class StandardException extends LedgerException {
  private static final long serialVersionUID = 1L;

  public StandardException(String message) {
    super(message);
  }

  public StandardException(String message, Throwable cause) {
    super(message, cause);
  }
}

package org.computeledger.attribute;

/**
 * A registry that cannot be used as written. The message is one line that names the file and the
 * entry, because the launcher prints it as the run's only error.
 */
public final class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}

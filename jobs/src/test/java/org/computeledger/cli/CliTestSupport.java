package org.computeledger.cli;

/** Lets tests outside the package see how the command line words an error. */
public final class CliTestSupport {
  private CliTestSupport() {}

  public static String userMessage(Throwable e) {
    return Ledger.userMessage(e);
  }
}

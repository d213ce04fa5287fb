package org.computeledger.ingest;

/**
 * A record a parser cannot read, with the quarantine reason naming the field and what was expected.
 * Control flow for bad lines only, so it carries no stack trace.
 */
final class Rejected extends Exception {
  Rejected(String reason) {
    super(reason, null, false, false);
  }
}

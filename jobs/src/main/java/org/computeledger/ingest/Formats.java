package org.computeledger.ingest;

import java.util.List;

/** Every input format the ledger reads, in the order detection tries them (most specific first). */
public final class Formats {
  private static final List<FormatParser> ALL = List.of(
      new SacctParser(),
      new SlurmJsonParser(),
      new GcpBillingParser(),
      new AzureCostParser(),
      new KubectlPodsParser(),
      new PrometheusJsonParser(),
      new PrometheusParser(),
      new NvidiaSmiParser(),
      new FlopCounterParser(),
      new FocusParser(),
      new AwsCurParser());

  /**
   * Not a format: what a compressed file damaged before its first line is parsed with, so that it is
   * listed with its damage and one quarantine record instead of stopping the run. Never detected.
   */
  public static final FormatParser UNREADABLE = new UnreadableParser();

  private Formats() {}

  public static List<FormatParser> all() {
    return ALL;
  }

  public static FormatParser byId(String id) {
    for (FormatParser p : ALL) {
      if (p.format().equals(id)) {
        return p;
      }
    }
    if (UNREADABLE.format().equals(id)) {
      return UNREADABLE;
    }
    throw new IllegalArgumentException("no parser for format '" + id + "'");
  }
}

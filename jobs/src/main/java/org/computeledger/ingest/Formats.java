package org.computeledger.ingest;

import java.util.List;

/** Every input format the ledger reads, in the order detection tries them (most specific first). */
public final class Formats {
  private static final List<FormatParser> ALL = List.of(
      new SacctParser(),
      new KubectlPodsParser(),
      new PrometheusParser(),
      new NvidiaSmiParser(),
      new FlopCounterParser(),
      new FocusParser(),
      new AwsCurParser());

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
    throw new IllegalArgumentException("no parser for format '" + id + "'");
  }
}

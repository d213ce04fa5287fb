package org.computeledger.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Slurm's host-list notation (sacct's NodeList) and its numeric ranges (also the GPU indices of a
 * gres IDX), expanded for {@link SacctParser}.
 */
final class SlurmHostList {
  /** A host list that expands beyond this is treated as malformed rather than filling memory. */
  static final int MAX_NODES_PER_RECORD = 100_000;

  private SlurmHostList() {}

  /**
   * Expands a Slurm host list ({@code d09n04s[01-02],d13n[03,05,07-08,16],a[1-2]b[3-4]}) into host
   * names in Slurm's order, keeping zero padding; null when it is malformed or absurdly large.
   */
  static List<String> expand(String list) {
    List<String> hosts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= list.length(); i++) {
      char c = i < list.length() ? list.charAt(i) : ',';
      if (c == '[') {
        if (++depth > 1) {
          return null;
        }
      } else if (c == ']') {
        if (--depth < 0) {
          return null;
        }
      } else if (c == ',' && depth == 0) {
        if (i == start || !expandHost(list, start, i, hosts)) {
          return null;
        }
        start = i + 1;
      }
    }
    return depth == 0 ? hosts : null;
  }

  /** Appends the hosts of one bracketed name, e.g. {@code a[1-2]b[3-4]}, leftmost range slowest. */
  private static boolean expandHost(String list, int from, int to, List<String> hosts) {
    List<String> prefixes = new ArrayList<>();
    prefixes.add("");
    int i = from;
    while (i < to) {
      int open = list.indexOf('[', i);
      if (open < 0 || open >= to) {
        appendToAll(prefixes, list.substring(i, to));
        break;
      }
      appendToAll(prefixes, list.substring(i, open));
      int close = list.indexOf(']', open);
      List<String> values = expandRanges(list.substring(open + 1, close));
      if (values == null || (long) prefixes.size() * values.size() + hosts.size() > MAX_NODES_PER_RECORD) {
        return false;
      }
      List<String> next = new ArrayList<>(prefixes.size() * values.size());
      for (String p : prefixes) {
        for (String v : values) {
          next.add(p + v);
        }
      }
      prefixes = next;
      i = close + 1;
    }
    for (String p : prefixes) {
      if (p.isEmpty()) {
        return false;
      }
    }
    hosts.addAll(prefixes);
    return hosts.size() <= MAX_NODES_PER_RECORD;
  }

  private static void appendToAll(List<String> prefixes, String text) {
    if (!text.isEmpty()) {
      prefixes.replaceAll(p -> p + text);
    }
  }

  /** {@code 03,05,07-08} to {@code [03, 05, 07, 08]}; a range is padded to the width of its start. */
  static List<String> expandRanges(String spec) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= spec.length(); i++) {
      if (i < spec.length() && spec.charAt(i) != ',') {
        continue;
      }
      String item = spec.substring(start, i);
      start = i + 1;
      int dash = item.indexOf('-');
      String lo = dash < 0 ? item : item.substring(0, dash);
      String hi = dash < 0 ? item : item.substring(dash + 1);
      long a = TextScan.parseWhole(lo);
      long b = TextScan.parseWhole(hi);
      if (a < 0 || b < a || b - a >= MAX_NODES_PER_RECORD || out.size() + (b - a) >= MAX_NODES_PER_RECORD) {
        return null;
      }
      for (long v = a; v <= b; v++) {
        out.add(pad(v, lo.length()));
      }
    }
    return out;
  }

  private static String pad(long v, int width) {
    String s = Long.toString(v);
    if (s.length() >= width) {
      return s;
    }
    return "0".repeat(width - s.length()) + s;
  }

  // ---------------------------------------------------------------- GPUs
}

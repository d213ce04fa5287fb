package org.computeledger.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte-level reading of one clean Prometheus text line (see {@link ByteLines}) for
 * {@link PrometheusParser}: metric, label values, value and timestamp, straight from the bytes with
 * label values cached across lines, so the common line costs no String, no decoding and no
 * {@code Double.parseDouble}. It only ever accepts what the parser's text path accepts the same way;
 * anything unusual (escapes, exponents, signs, NaN, a malformed line, a {@code # scrape_time}) answers
 * {@link #TEXT} and the parser reads the line as text, so messages and quarantine stay the text path's.
 */
final class PrometheusBytes {
  /** A sample of a used metric: {@link #metric}, {@link #value} and the time fields are set. */
  static final int SAMPLE = 0;
  /** A line that holds no sample: a comment, a blank line, a metric not used. */
  static final int IGNORED = 1;
  /** Read this line as text. */
  static final int TEXT = 2;

  private static final double[] POW10 = new double[16];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  /** Label values remembered per slot: a power of two, more than the GPUs of one host by far. */
  static final int CACHED = 64;

  private static final byte[] SCRAPE_TIME = "scrape_time".getBytes(StandardCharsets.US_ASCII);

  private final byte[][] metrics;
  private final byte[][] labels;
  private final int nameSlot;
  /** Label values of the line, by slot; the text path's array, shared. */
  private final String[] vals;
  /**
   * Per label slot, the values seen lately, by a hash of their bytes ({@link #CACHED} each): a scrape
   * prints one metric for every GPU of the host before the next metric, so a GPU's labels come back
   * after a few lines, not on the next one, and one remembered value per slot would miss nearly always.
   */
  private final byte[][][] cachedBytes;
  private final String[][] cachedValue;
  /**
   * Whole label blocks seen lately (from after '{' through '}'), by a hash of their first bytes, with
   * what reading them gave: dcgm-exporter prints the same block for every metric of a GPU, so most
   * lines' labels are one comparison of bytes instead of a scan, a lookup per label and a cached value.
   */
  private final byte[][] blockBytes = new byte[CACHED][];
  private final String[][] blockVals = new String[CACHED][];
  private final int[] blockSeen = new int[CACHED];
  /** Where in the block the name label's value lies (start, end; -1 when it has none). */
  private final int[][] blockName = new int[CACHED][];

  int metric;
  double value;
  /** Whether the line has its own timestamp, and that timestamp's digits as a number. */
  boolean hasTs;
  long tsWhole;

  private int seen;
  private int nameStart;
  private int nameEnd;
  /** The name label's value in the line's label block, whether or not the metric was named before it. */
  private int nameLabelStart;
  private int nameLabelEnd;

  PrometheusBytes(String[] metricNames, String[] labelNames, int nameSlot, String[] vals) {
    this.metrics = ascii(metricNames);
    this.labels = ascii(labelNames);
    this.nameSlot = nameSlot;
    this.vals = vals;
    this.cachedBytes = new byte[labelNames.length][CACHED][];
    this.cachedValue = new String[labelNames.length][CACHED];
  }

  private static byte[][] ascii(String[] names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = names[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  /** Reads bytes {@code [s, e)}: {@link #SAMPLE}, {@link #IGNORED} or {@link #TEXT}. */
  int scan(byte[] b, int s, int e) {
    if (s == e) {
      return IGNORED;
    }
    byte c = b[s];
    if (c == '#') {
      int i = s + 1;
      while (i < e && b[i] == ' ') {
        i++;
      }
      // HELP and TYPE lines are ignored; a scrape_time comment changes state, the text path reads it
      return startsWith(b, i, e, SCRAPE_TIME) ? TEXT : IGNORED;
    }
    Arrays.fill(vals, null);
    seen = 0;
    metric = -1;
    nameStart = -1;
    int i = s;
    if (c != '{') {
      if (!isNameStart(c)) {
        return TEXT;
      }
      nameStart = i;
      while (i < e && isNameChar(b[i])) {
        i++;
      }
      nameEnd = i;
      metric = lookup(metrics, b, nameStart, nameEnd);
      if (metric < 0) {
        return IGNORED;
      }
    }
    if (i < e && b[i] == '{') {
      i = cachedLabels(b, i + 1, e);
      if (i < 0) {
        return TEXT;
      }
      if (metric < 0) {
        if (nameStart < 0) {
          return TEXT;
        }
        metric = lookup(metrics, b, nameStart, nameEnd);
        if (metric < 0) {
          return IGNORED;
        }
      }
    }
    return valueAndTimestamp(b, i, e) ? SAMPLE : TEXT;
  }

  /**
   * As {@link #labels}, from the block cache when the same bytes were read lately: reading a block
   * depends on its bytes alone (the values start empty and nothing is seen yet), so equal bytes give what
   * they gave before. Two places per hash, the newer block first, as for single values.
   */
  private int cachedLabels(byte[] b, int from, int e) {
    int n = Math.min(e - from, 48);
    int h = n;
    for (int i = from; i < from + n; i++) {
      h = h * 31 + b[i];
    }
    int k = (h ^ (h >>> 11) ^ (h >>> 19)) & (CACHED - 1);
    int hit = sameBlock(k, b, from, e) ? k : sameBlock((k + 1) & (CACHED - 1), b, from, e) ? (k + 1) & (CACHED - 1) : -1;
    if (hit >= 0) {
      System.arraycopy(blockVals[hit], 0, vals, 0, vals.length);
      seen = blockSeen[hit];
      int[] name = blockName[hit];
      if (name[0] >= 0 && nameStart < 0) {
        nameStart = from + name[0];
        nameEnd = from + name[1];
      }
      return from + blockBytes[hit].length;
    }
    nameLabelStart = -1;
    int end = labels(b, from, e);
    if (end >= 0) {
      int k2 = (k + 1) & (CACHED - 1);
      blockBytes[k2] = blockBytes[k];
      blockVals[k2] = blockVals[k];
      blockSeen[k2] = blockSeen[k];
      blockName[k2] = blockName[k];
      blockBytes[k] = Arrays.copyOfRange(b, from, end);
      blockVals[k] = vals.clone();
      blockSeen[k] = seen;
      blockName[k] = nameLabelStart < 0 ? new int[] {-1, -1} : new int[] {nameLabelStart - from, nameLabelEnd - from};
    }
    return end;
  }

  private boolean sameBlock(int k, byte[] b, int from, int e) {
    byte[] block = blockBytes[k];
    return block != null && block.length <= e - from && Arrays.equals(block, 0, block.length, b, from, from + block.length);
  }

  /** Labels from just after '{' through '}': the position after it, or -1 to read the line as text. */
  private int labels(byte[] b, int from, int e) {
    int i = from;
    while (true) {
      i = skipSpaces(b, i, e);
      if (i >= e) {
        return -1;
      }
      if (b[i] == '}') {
        return i + 1;
      }
      int ls = i;
      if (!isLabelStart(b[i])) {
        return -1;
      }
      while (i < e && isLabelChar(b[i])) {
        i++;
      }
      int le = i;
      i = skipSpaces(b, i, e);
      if (i >= e || b[i] != '=') {
        return -1;
      }
      i = skipSpaces(b, i + 1, e);
      if (i >= e || b[i] != '"') {
        return -1;
      }
      int vs = ++i;
      while (i < e && b[i] != '"') {
        if (b[i] == '\\') {
          return -1;
        }
        i++;
      }
      if (i >= e) {
        return -1;
      }
      int ve = i++;
      int slot = lookup(labels, b, ls, le);
      if (slot >= 0) {
        if ((seen & (1 << slot)) != 0) {
          return -1;
        }
        seen |= 1 << slot;
        if (slot == nameSlot) {
          nameLabelStart = vs;
          nameLabelEnd = ve;
          if (nameStart < 0) {
            nameStart = vs;
            nameEnd = ve;
          }
        } else if (ve > vs) {
          vals[slot] = value(slot, b, vs, ve);
        }
      }
      i = skipSpaces(b, i, e);
      if (i < e && b[i] == ',') {
        i++;
      } else if (i >= e || b[i] != '}') {
        return -1;
      }
    }
  }

  /**
   * The label value as a String, an earlier line's instance when the bytes are equal: labels repeat.
   * Two places per hash (the value's and the next), the newer value first, so that two values of one
   * host whose hashes meet do not push each other out on every line.
   */
  private String value(int slot, byte[] b, int vs, int ve) {
    // a few bytes and the length, not all of them (a UUID is 40): the bytes are compared in full below
    int n = ve - vs;
    int h = n * 31 + b[ve - 1];
    if (n > 1) {
      h = (h * 31 + b[ve - 2]) * 31 + b[vs + n / 2];
    }
    if (n > 3) {
      h = (h * 31 + b[ve - 3]) * 31 + b[ve - 4];
    }
    int k = (h ^ (h >>> 7)) & (CACHED - 1);
    byte[][] bytes = cachedBytes[slot];
    String[] values = cachedValue[slot];
    byte[] prev = bytes[k];
    if (prev != null && Arrays.equals(prev, 0, prev.length, b, vs, ve)) {
      return values[k];
    }
    int k2 = (k + 1) & (CACHED - 1);
    prev = bytes[k2];
    if (prev != null && Arrays.equals(prev, 0, prev.length, b, vs, ve)) {
      return values[k2];
    }
    byte[] copy = Arrays.copyOfRange(b, vs, ve);
    String v = new String(copy, StandardCharsets.ISO_8859_1);
    bytes[k2] = bytes[k];
    values[k2] = values[k];
    bytes[k] = copy;
    values[k] = v;
    return v;
  }

  /** A plain decimal value and an optional integer timestamp; false for anything else. */
  private boolean valueAndTimestamp(byte[] b, int i, int e) {
    int j = skipSpaces(b, i, e);
    if (j == i || j == e) {
      return false;
    }
    int vs = j;
    while (j < e && b[j] != ' ') {
      j++;
    }
    if (!decimal(b, vs, j)) {
      return false;
    }
    j = skipSpaces(b, j, e);
    hasTs = false;
    if (j < e && b[j] != '#') {
      int ts = j;
      long whole = 0;
      while (j < e && b[j] != ' ') {
        byte d = b[j];
        if (d < '0' || d > '9' || j - ts >= 18) {
          return false;
        }
        whole = whole * 10 + (d - '0');
        j++;
      }
      hasTs = true;
      tsWhole = whole;
      j = skipSpaces(b, j, e);
    }
    return j == e || b[j] == '#';
  }

  /**
   * Digits with at most one point, 15 significant digits at most: the quotient of two exact doubles,
   * rounded once, is the value {@code Double.parseDouble} gives.
   */
  private boolean decimal(byte[] b, int s, int e) {
    long m = 0;
    int digits = 0;
    int point = -1;
    for (int i = s; i < e; i++) {
      byte d = b[i];
      if (d >= '0' && d <= '9') {
        m = m * 10 + (d - '0');
        if (m != 0 || point >= 0) {
          digits++;
        }
      } else if (d == '.' && point < 0) {
        point = i;
      } else {
        return false;
      }
    }
    int fraction = point < 0 ? 0 : e - point - 1;
    if (digits > 15 || fraction > 15 || e - s == (point < 0 ? 0 : 1)) {
      return false;
    }
    value = fraction == 0 ? (double) m : m / POW10[fraction];
    return true;
  }

  private static int lookup(byte[][] names, byte[] b, int s, int e) {
    int len = e - s;
    for (int k = 0; k < names.length; k++) {
      byte[] n = names[k];
      if (n.length == len && Arrays.equals(n, 0, len, b, s, e)) {
        return k;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] b, int i, int e, byte[] prefix) {
    return e - i >= prefix.length && Arrays.equals(prefix, 0, prefix.length, b, i, i + prefix.length);
  }

  private static int skipSpaces(byte[] b, int i, int e) {
    while (i < e && b[i] == ' ') {
      i++;
    }
    return i;
  }

  private static boolean isNameStart(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isNameChar(byte c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }

  private static boolean isLabelStart(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isLabelChar(byte c) {
    return isLabelStart(c) || (c >= '0' && c <= '9');
  }
}

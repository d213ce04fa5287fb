package org.computeledger.ingest;

/**
 * The parsers' one set of character-level helpers (digits, the byte-order mark), so the fixed-width
 * time and id readers of every format agree on what a digit is.
 */
final class TextScan {
  private TextScan() {}

  /** ASCII digits only: Character.isDigit would also take other scripts' digits, which no log format writes. */
  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * The number written by the ASCII digits {@code s[from, to)}, or -1 when one is not a digit or the
   * text is shorter than {@code to}. At most 9 digits, so the value fits an int.
   */
  static int digits(String s, int from, int to) {
    if (to > s.length()) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** The text without a leading byte-order mark. */
  static String stripBom(String line) {
    return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
  }

  /** A non-negative decimal number, or -1 when {@code s} is empty or not all digits. */
  static long parseWhole(String s) {
    int len = s.length();
    if (len == 0 || len > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}

package org.computeledger.common;

/**
 * User-controlled text (job names, comments, accounts, project and branch names, file names, a
 * standard file's words) as the ledger writes it into Markdown and CSV: shown literally, never as
 * markup, a link, an HTML tag or a spreadsheet formula. Formulas are neutralised as OWASP's "CSV
 * injection" guidance says: a cell that starts with {@code = + - @}, tab or carriage return gets a
 * single quote in front.
 */
public final class UserText {
  /** Characters that make a spreadsheet read a cell as a formula when they start it. */
  static final String FORMULA_START = "=+-@\t\r";
  /** Characters with a Markdown (or GitHub Markdown, or HTML) meaning anywhere in a line. */
  static final String MARKDOWN_SPECIAL = "\\`*_[]<>|~#!$&";

  private UserText() {}

  /** A CSV (or table) cell that a spreadsheet shows as text: a leading formula character is quoted. */
  public static String cell(String s) {
    if (s == null || s.isEmpty()) {
      return s;
    }
    return FORMULA_START.indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
  }

  /**
   * Text for a Markdown line or table cell: a formula start neutralised, line breaks and other
   * control characters as spaces, and every character with a Markdown meaning escaped with a
   * backslash (a leading {@code 1. } cannot start a list either). Null is empty.
   */
  public static String markdown(Object value) {
    if (value == null) {
      return "";
    }
    String s = cell(value.toString());
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        b.append(' ');
      } else if (MARKDOWN_SPECIAL.indexOf(c) >= 0) {
        b.append('\\').append(c);
      } else if ((c == '.' || c == ')') && i > 0 && allDigits(s, i) && (i + 1 == s.length() || s.charAt(i + 1) == ' ')) {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A Markdown code span showing {@code value} literally (for file paths and ids): the fence is one
   * backtick longer than any run of backticks inside, line breaks become spaces. Not for table cells,
   * where a {@code |} would still end the cell.
   */
  public static String code(Object value) {
    String s = value == null ? "" : value.toString();
    StringBuilder text = new StringBuilder(s.length());
    int run = 0;
    int longest = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      run = c == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
      text.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
    }
    String fence = "`".repeat(longest + 1);
    boolean pad = s.startsWith("`") || s.endsWith("`");
    return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
  }

  /** Whether {@code s} before {@code end} is all digits: {@code 12.} at the start of a line would be a list. */
  private static boolean allDigits(String s, int end) {
    for (int i = 0; i < end; i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
